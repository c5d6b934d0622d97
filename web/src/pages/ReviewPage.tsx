import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useCallback, useEffect, useReducer, useRef, useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { unwrap, type Schemas } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { ErrorNotice, Loading } from "../common/states";
import { formatDateTime, formatSeconds } from "../common/time";
import { useLoad } from "../common/useLoad";
import { useLive } from "../live/LiveContext";
import { DiffView } from "../review/diffView";
import { DueDate } from "../review/DueDate";
import {
  initialReview,
  requestKind,
  reviewAbilities,
  reviewReducer,
  type Change,
  type Summary,
} from "../review/reviewState";

const SECTIONS = [
  ["wins", "Wins", "Win"],
  ["challenges", "Challenges", "Challenge"],
  ["action_items", "Action items", "Action"],
  ["coach_recommendations", "Recommendations", "Recommendation"],
] as const;

type Refined = { summary: Summary; diff: Change[]; reply: string };

export function ReviewPage() {
  const { summaryId = "" } = useParams();
  const { api } = useAuth();
  const { socket, state: socketState } = useLive();
  const zone = useTimeZone();
  const [review, dispatch] = useReducer(reviewReducer, initialReview);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [approvedNote, setApprovedNote] = useState<string | null>(null);
  const transcriptRef = useRef<HTMLDivElement>(null);
  // ?turn=N (a breakthrough's moment on the session page) opens with that turn marked.
  const [search] = useSearchParams();
  const wantedTurn = search.get("turn");

  const load = useCallback(async () => {
    try {
      setLoadError(null);
      const summary = unwrap(
        await api.GET("/v1/summaries/{summary_id}", { params: { path: { summary_id: summaryId } } }),
      );
      dispatch({ type: "loaded", summary });
    } catch (error) {
      setLoadError(error);
    }
  }, [api, summaryId]);
  useEffect(() => {
    void load();
  }, [load]);

  const sessionId = review.summary?.session_id ?? null;
  const [transcript] = useLoad(async () => {
    if (!sessionId) return null;
    return unwrap(
      await api.GET("/v1/sessions/{session_id}", {
        params: { path: { session_id: sessionId }, query: { turns: true } },
      }),
    );
  }, [api, sessionId]);

  // Another screen's refinement makes this draft stale: say so rather than overwrite it.
  useEffect(
    () =>
      socket.onPush((push) => {
        if (push.type === "summary_revised" && push.summary_id === summaryId && typeof push.revision === "number") {
          dispatch({ type: "revisedElsewhere", revision: push.revision });
        }
      }),
    [socket, summaryId],
  );

  async function ask(request: string) {
    const summary = review.summary;
    if (!summary || !request.trim()) return;
    dispatch({ type: "asked" });
    const content = { summary_id: summary.id, message: request, expected_revision: summary.revision };
    try {
      // Over the socket when it is open (the chat's own channel), else the same request over REST.
      const answer =
        socketState === "open"
          ? ((await socket.request("refine", content)) as unknown as Refined)
          : unwrap(
              await api.POST("/v1/summaries/{summary_id}/refine", {
                params: { path: { summary_id: summary.id } },
                body: { message: request, expected_revision: summary.revision },
              }),
            );
      dispatch({
        type: "refined",
        kind: requestKind(request),
        summary: answer.summary,
        diff: answer.diff,
        reply: answer.reply,
      });
      setMessage("");
    } catch (error) {
      dispatch({ type: "failed", error });
    }
  }

  async function approve() {
    const summary = review.summary;
    if (!summary) return;
    dispatch({ type: "asked" });
    try {
      const answer = unwrap(
        await api.POST("/v1/summaries/{summary_id}/approve", {
          params: { path: { summary_id: summary.id } },
          body: { expected_revision: summary.revision },
        }),
      );
      dispatch({ type: "statusChanged", summary: answer.summary });
      setApprovedNote(answer.follow_up ? answer.follow_up.id : null);
    } catch (error) {
      dispatch({ type: "failed", error });
    }
  }

  async function reopen() {
    const summary = review.summary;
    if (!summary) return;
    dispatch({ type: "asked" });
    try {
      const answer = unwrap(
        await api.POST("/v1/summaries/{summary_id}/reopen", { params: { path: { summary_id: summary.id } }, body: {} }),
      );
      dispatch({ type: "statusChanged", summary: answer });
      setApprovedNote(null);
    } catch (error) {
      dispatch({ type: "failed", error });
    }
  }

  const transcriptReady = transcript.state === "ready";
  useEffect(() => {
    const turn = Number(wantedTurn);
    if (transcriptReady && wantedTurn !== null && Number.isInteger(turn)) showEvidence([turn]);
  }, [transcriptReady, wantedTurn]);

  function showEvidence(turns: number[]) {
    dispatch({ type: "evidenceSelected", turns });
    const first = turns[0];
    if (first !== undefined) {
      const turn = transcriptRef.current?.querySelector<HTMLElement>(`[data-turn="${first}"]`);
      turn?.scrollIntoView?.({ block: "center" });
      turn?.focus();
    }
  }

  if (loadError)
    return (
      <Stack>
        <Title order={1}>Summary review</Title>
        <ErrorNotice error={loadError} title="The summary did not load" />
      </Stack>
    );
  const summary = review.summary;
  if (!summary) return <Loading what="the summary" />;
  const can = reviewAbilities(review);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Summary for {summary.client_name}</Title>
        <Group>
          <Badge color={summary.status === "approved" ? "green" : "yellow"}>{summary.status}</Badge>
          <Text size="sm" aria-label="Revision">
            Revision {summary.revision}
          </Text>
        </Group>
      </Group>
      <Group>
        <Anchor component={Link} to={`/sessions/${summary.session_id}`}>
          Back to the session
        </Anchor>
        {summary.approved_at && <Text size="sm">Approved {formatDateTime(summary.approved_at, zone)}</Text>}
      </Group>
      {review.conflict && (
        <Alert
          role="alert"
          color="orange"
          title={review.conflict.kind === "stale" ? "This draft is out of date" : "This summary is approved"}
        >
          <Text>{review.conflict.explanation}</Text>
          {review.conflict.kind === "stale" && (
            <Button mt="sm" size="xs" onClick={() => void load()}>
              Reload the summary
            </Button>
          )}
        </Alert>
      )}
      {approvedNote !== null && (
        <Alert role="status" color="green" title="Approved">
          A follow-up was drafted.{" "}
          <Anchor component={Link} to={`/follow-ups/${approvedNote}`}>
            Open the follow-up
          </Anchor>
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Paper withBorder p="sm">
            <Title order={2} size="h3">
              Draft
            </Title>
            {SECTIONS.map(([key, heading, singular]) => (
              <section key={key} aria-label={heading}>
                <Title order={3} size="h4" mt="sm">
                  {heading}
                </Title>
                {summary[key].length === 0 ? (
                  <Text c="dimmed">None.</Text>
                ) : (
                  <ol>
                    {summary[key].map((item, index) => (
                      <li key={index}>
                        <Text span>{item.text}</Text>
                        {"owner" in item && item.owner ? (
                          <Text span size="sm">
                            {" "}
                            — {item.owner}
                          </Text>
                        ) : null}
                        {"due" in item ? <DueDate due={item.due} phrase={item.due_phrase} /> : null}{" "}
                        {item.evidence.length > 0 ? (
                          <Button
                            variant="subtle"
                            size="compact-xs"
                            aria-label={`Show evidence for ${singular} ${index + 1}`}
                            aria-pressed={review.highlighted.join() === item.evidence.join()}
                            onClick={() => showEvidence(item.evidence)}
                          >
                            evidence
                          </Button>
                        ) : (
                          <Text span size="xs" c="dimmed">
                            (no transcript turn)
                          </Text>
                        )}
                      </li>
                    ))}
                  </ol>
                )}
              </section>
            ))}
            <Group mt="md">
              <Button onClick={() => void approve()} disabled={!can.canApprove}>
                Approve
              </Button>
              <Button variant="default" onClick={() => void reopen()} disabled={!can.canReopen}>
                Reopen
              </Button>
            </Group>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Paper withBorder p="sm" component="section" aria-labelledby="chat-heading">
            <Title order={2} size="h3" id="chat-heading">
              Refine by asking
            </Title>
            <form
              aria-label="Refine"
              onSubmit={(event: FormEvent) => {
                event.preventDefault();
                void ask(message);
              }}
            >
              <Textarea
                label="Ask for a change"
                description="For example: shorter, warmer, remove win 2, reword challenge 1: …, add action: …"
                value={message}
                onChange={(e) => setMessage(e.currentTarget.value)}
                disabled={!can.canAsk}
                autosize
                minRows={2}
              />
              <Group mt="xs">
                <Button type="submit" disabled={!can.canAsk || !message.trim()} loading={review.pending}>
                  Send request
                </Button>
                <Button variant="default" onClick={() => void ask("undo")} disabled={!can.canUndo}>
                  Undo
                </Button>
                <Button variant="default" onClick={() => void ask("redo")} disabled={!can.canRedo}>
                  Redo
                </Button>
              </Group>
            </form>
            {review.error && (
              <Alert role="alert" color="red" mt="sm" title="Not changed">
                {review.error}
              </Alert>
            )}
            {review.reply !== null && (
              <section aria-label="Last change" aria-live="polite">
                <Text mt="sm" fw={600}>
                  {review.reply}
                </Text>
                <DiffView changes={review.diff} />
              </section>
            )}
          </Paper>
          <Paper withBorder p="sm" mt="md" component="section" aria-labelledby="transcript-heading">
            <Title order={2} size="h3" id="transcript-heading">
              Transcript
            </Title>
            {transcript.state === "loading" && <Loading what="the transcript" />}
            {transcript.state === "error" && (
              <ErrorNotice error={transcript.error} title="The transcript did not load" />
            )}
            {transcript.state === "ready" && transcript.data && (
              <ScrollArea
                h={420}
                viewportRef={transcriptRef}
                // A scrolling region must be reachable by keyboard to be read (axe: scrollable-region-focusable).
                viewportProps={{ tabIndex: 0, role: "region", "aria-label": "Transcript text" }}
              >
                <Transcript turns={transcript.data.turns ?? []} highlighted={review.highlighted} />
              </ScrollArea>
            )}
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Transcript({ turns, highlighted }: { turns: Schemas["LabelledTurn"][]; highlighted: number[] }) {
  if (turns.length === 0) return <Text c="dimmed">No turns to show.</Text>;
  return (
    <ol aria-label="Transcript turns" style={{ listStyle: "none", padding: 0 }}>
      {turns.map((turn) => {
        const marked = highlighted.includes(turn.index);
        return (
          <li
            key={turn.index}
            data-turn={turn.index}
            tabIndex={-1}
            className={marked ? "turn-highlighted" : undefined}
            aria-current={marked ? "true" : undefined}
          >
            <Text size="sm">
              <strong>{turn.speaker}</strong> {turn.start !== null ? `(${formatSeconds(turn.start)})` : ""}: {turn.text}
            </Text>
          </li>
        );
      })}
    </ol>
  );
}
