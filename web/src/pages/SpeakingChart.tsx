import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface Speaker {
  name: string;
  seconds: number;
}

/** Speaking time per participant; the table beside it carries the same numbers for screen readers. */
export function SpeakingChart({ speakers }: { speakers: Speaker[] }) {
  // Minutes read better for a long session, seconds for a short one.
  const inMinutes = Math.max(0, ...speakers.map((s) => s.seconds)) >= 120;
  const unit = inMinutes ? "min" : "s";
  const data = speakers.map((s) => ({
    name: s.name,
    value: inMinutes ? Math.round((s.seconds / 60) * 10) / 10 : Math.round(s.seconds),
  }));
  return (
    <figure aria-label="Speaking time chart" style={{ margin: 0 }}>
      <div aria-hidden style={{ width: "100%", height: Math.max(160, speakers.length * 36) }}>
        <ResponsiveContainer>
          <BarChart data={data} layout="vertical" margin={{ left: 24, right: 24 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" unit={` ${unit}`} />
            <YAxis type="category" dataKey="name" width={120} />
            <Tooltip formatter={(value) => [`${value} ${unit}`, "Speaking time"]} />
            <Bar dataKey="value" fill="#1971c2" />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption>Speaking time per participant, in {inMinutes ? "minutes" : "seconds"}.</figcaption>
    </figure>
  );
}
