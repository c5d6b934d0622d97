import { Text, Title } from "@mantine/core";
import { unwrap, type Schemas } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatSeconds } from "../common/time";
import { useLoad, type Loaded } from "../common/useLoad";

type Turn = Schemas["LabelledTurn"];

export interface SpeakerRow {
  speaker: string;
  spans: { start: number; end: number }[];
}

/** One row per speaker (in order of first speaking) with the spans they spoke; untimed turns are left out. */
export function speakingRows(turns: Turn[]): { rows: SpeakerRow[]; end: number } {
  const rows = new Map<string, SpeakerRow>();
  let end = 0;
  for (const turn of turns) {
    if (turn.start === null || turn.end === null || turn.end < turn.start) continue;
    const row = rows.get(turn.speaker) ?? { speaker: turn.speaker, spans: [] };
    row.spans.push({ start: turn.start, end: turn.end });
    rows.set(turn.speaker, row);
    end = Math.max(end, turn.end);
  }
  return { rows: [...rows.values()], end };
}

const ROW = 28;
const LABEL = 130;
const WIDTH = 800;

/** The session read with its transcript's turns: one read serves the timeline and the transcript. */
export function useSessionTurns(sessionId: string): Loaded<SessionWithTurns> {
  const { api } = useAuth();
  const [session] = useLoad(
    async () =>
      unwrap(
        await api.GET("/v1/sessions/{session_id}", {
          params: { path: { session_id: sessionId }, query: { turns: true } },
        }),
      ),
    [api, sessionId],
  );
  return session;
}

export type SessionWithTurns = { turns?: Turn[] | null };

/** Who spoke when, from the transcript's timed turns (the session read with its turns). */
export function SpeakingTimeline({ sessionId }: { sessionId: string }) {
  return <SpeakingTimelineOf session={useSessionTurns(sessionId)} />;
}

export function SpeakingTimelineOf({ session }: { session: Loaded<SessionWithTurns> }) {
  return (
    <section aria-labelledby="speaking-timeline">
      <Title order={2} size="h3" id="speaking-timeline">
        Speaking timeline
      </Title>
      {session.state === "loading" && <Loading what="the transcript's turns" />}
      {session.state === "error" && <ErrorNotice error={session.error} title="The turns did not load" />}
      {session.state === "ready" && <Timeline turns={session.data.turns ?? []} />}
    </section>
  );
}

function Timeline({ turns }: { turns: Turn[] }) {
  const { rows, end } = speakingRows(turns);
  if (rows.length === 0 || end <= 0) return <Empty>The transcript has no timed turns to draw.</Empty>;
  const scale = (WIDTH - LABEL) / end;
  return (
    <figure aria-label="Speaking timeline" style={{ margin: 0 }}>
      <svg
        aria-hidden
        viewBox={`0 0 ${WIDTH} ${rows.length * ROW + 20}`}
        width="100%"
        style={{ maxWidth: WIDTH }}
        data-testid="speaking-timeline"
      >
        {rows.map((row, i) => (
          <g key={row.speaker} data-speaker={row.speaker}>
            <text x={0} y={i * ROW + 18} fontSize={12}>
              {row.speaker}
            </text>
            {row.spans.map((span, j) => (
              <rect
                key={j}
                x={LABEL + span.start * scale}
                y={i * ROW + 6}
                width={Math.max(1, (span.end - span.start) * scale)}
                height={ROW - 10}
                fill="#1971c2"
              />
            ))}
          </g>
        ))}
        <text x={LABEL} y={rows.length * ROW + 16} fontSize={11}>
          0 s
        </text>
        <text x={WIDTH} y={rows.length * ROW + 16} fontSize={11} textAnchor="end">
          {formatSeconds(end)}
        </text>
      </svg>
      <figcaption>
        <Text size="sm" component="span">
          Who spoke when, over {formatSeconds(end)}:{" "}
          {rows.map((row) => `${row.speaker} ${row.spans.length} turns`).join(", ")}.
        </Text>
      </figcaption>
    </figure>
  );
}
