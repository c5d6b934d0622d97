import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface Speaker {
  name: string;
  minutes: number;
}

/** Speaking time per participant; the table beside it carries the same numbers for screen readers. */
export function SpeakingChart({ speakers }: { speakers: Speaker[] }) {
  return (
    <figure aria-label="Speaking time chart" style={{ margin: 0 }}>
      <div aria-hidden style={{ width: "100%", height: Math.max(160, speakers.length * 36) }}>
        <ResponsiveContainer>
          <BarChart data={speakers} layout="vertical" margin={{ left: 24, right: 24 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" unit=" min" />
            <YAxis type="category" dataKey="name" width={120} />
            <Tooltip formatter={(value) => [`${value} min`, "Speaking time"]} />
            <Bar dataKey="minutes" fill="#1c7ed6" />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption>Speaking time per participant, in minutes.</figcaption>
    </figure>
  );
}
