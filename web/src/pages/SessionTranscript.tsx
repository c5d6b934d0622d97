import { ScrollArea, Text, Title } from "@mantine/core";
import { useEffect, useRef } from "react";
import type { Schemas } from "../api/client";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatSeconds } from "../common/time";
import type { Loaded } from "../common/useLoad";
import type { SessionWithTurns } from "./SpeakingTimeline";

/** The turns a link asks to open: `?turn=N` (and `&to=M` for a passage over several turns). */
export function wantedTurns(search: URLSearchParams): { from: number; to: number } | null {
  const from = Number(search.get("turn"));
  if (search.get("turn") === null || !Number.isInteger(from)) return null;
  const to = Number(search.get("to"));
  return { from, to: search.get("to") !== null && Number.isInteger(to) && to >= from ? to : from };
}

/** The session's transcript; a moment a link opens (a search result's) is marked, scrolled to and focused. */
export function SessionTranscript({
  session,
  wanted,
}: {
  session: Loaded<SessionWithTurns>;
  wanted: { from: number; to: number } | null;
}) {
  const viewport = useRef<HTMLDivElement>(null);
  const ready = session.state === "ready";
  useEffect(() => {
    if (!ready || !wanted) return;
    const turn = viewport.current?.querySelector<HTMLElement>(`[data-turn="${wanted.from}"]`);
    turn?.scrollIntoView?.({ block: "center" });
    turn?.focus();
  }, [ready, wanted]);
  const marked = (index: number) => wanted !== null && index >= wanted.from && index <= wanted.to;
  return (
    <section aria-labelledby="transcript">
      <Title order={2} size="h3" id="transcript">
        Transcript
      </Title>
      {session.state === "loading" && <Loading what="the transcript" />}
      {session.state === "error" && <ErrorNotice error={session.error} title="The transcript did not load" />}
      {session.state === "ready" &&
        ((session.data.turns ?? []).length === 0 ? (
          <Empty>The transcript has no turns to show.</Empty>
        ) : (
          <ScrollArea
            h={420}
            viewportRef={viewport}
            // A scrolling region must be reachable by keyboard to be read (axe: scrollable-region-focusable).
            viewportProps={{ tabIndex: 0, role: "region", "aria-label": "Transcript text" }}
          >
            <ol aria-label="Transcript turns" style={{ listStyle: "none", padding: 0 }}>
              {(session.data.turns ?? []).map((turn: Schemas["LabelledTurn"]) => (
                <li
                  key={turn.index}
                  data-turn={turn.index}
                  tabIndex={-1}
                  className={marked(turn.index) ? "turn-highlighted" : undefined}
                  aria-current={marked(turn.index) ? "true" : undefined}
                >
                  <Text size="sm">
                    <strong>{turn.speaker}</strong> {turn.start !== null ? `(${formatSeconds(turn.start)})` : ""}:{" "}
                    {turn.text}
                  </Text>
                </li>
              ))}
            </ol>
          </ScrollArea>
        ))}
    </section>
  );
}
