import { Alert, Anchor, Badge, Blockquote, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useEffect, useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { unwrap } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDate, formatDateTime, formatSeconds } from "../common/time";
import { useLoad } from "../common/useLoad";
import { useLive } from "../live/LiveContext";
import { SpeakingChart } from "./SpeakingChart";
import { SessionTranscript, wantedTurns } from "./SessionTranscript";
import { SpeakingTimelineOf, useSessionTurns } from "./SpeakingTimeline";

export function SessionPage() {
  const { sessionId = "" } = useParams();
  const { api } = useAuth();
  const { socket } = useLive();
  const zone = useTimeZone();
  // ?turn=N[&to=M] (a search result's moment) opens the transcript there.
  const [search] = useSearchParams();
  const wanted = useMemo(() => wantedTurns(search), [search]);
  const withTurns = useSessionTurns(sessionId);
  const path = { params: { path: { session_id: sessionId } } };
  const [session, reload] = useLoad(
    async () => unwrap(await api.GET("/v1/sessions/{session_id}", path)),
    [api, sessionId],
  );
  const [summaries, reloadSummaries] = useLoad(
    async () => unwrap(await api.GET("/v1/sessions/{session_id}/summaries", path)),
    [api, sessionId],
  );
  useEffect(
    () =>
      socket.onPush((push) => {
        if (push.session_id !== sessionId) return;
        if (push.type === "session_ready" || push.type === "session_failed") {
          reload();
          reloadSummaries();
        }
      }),
    [socket, sessionId, reload, reloadSummaries],
  );

  if (session.state === "loading") return <Loading what="the session" />;
  if (session.state === "error")
    return (
      <Stack>
        <Title order={1}>Session</Title>
        <ErrorNotice error={session.error} title="The session did not load" />
      </Stack>
    );
  const s = session.data;
  // A participant's moment opens in their summary's transcript, when they have one.
  const summaryOf = (name: string) =>
    summaries.state === "ready" ? summaries.data.items.find((summary) => summary.client_name === name)?.id : undefined;
  const speakers = s.participants.map((p) => ({ name: p.name, seconds: p.speaking_time_seconds }));
  return (
    <Stack>
      <Title order={1}>Session of {formatDate(s.session_date ?? s.created_at?.slice(0, 10))}</Title>
      <Group>
        <Badge>{s.status}</Badge>
        <Text>{s.session_type ?? "type not known"}</Text>
        <Text>Coach: {s.coach ?? "—"}</Text>
        <Text>Length: {formatSeconds(s.duration_seconds)}</Text>
        <Text>Received {formatDateTime(s.created_at, zone)}</Text>
      </Group>
      {s.status === "failed" && (
        <Alert role="alert" color="red" title="Processing failed">
          {s.failure_reason ?? "The run failed."} {s.failed_step ? `(step: ${s.failed_step})` : ""}
        </Alert>
      )}
      {(s.status === "received" || s.status === "processing") && (
        <Text role="status">Still processing: this page updates when it is ready.</Text>
      )}
      {s.session_summary && <Text>{s.session_summary}</Text>}

      <section aria-labelledby="client-summaries">
        <Title order={2} size="h3" id="client-summaries">
          Client summaries
        </Title>
        {summaries.state === "loading" && <Loading what="summaries" />}
        {summaries.state === "error" && <ErrorNotice error={summaries.error} title="Summaries did not load" />}
        {summaries.state === "ready" && summaries.data.items.length === 0 && (
          <Empty>No client summaries for this session yet.</Empty>
        )}
        {summaries.state === "ready" && summaries.data.items.length > 0 && (
          <ul>
            {summaries.data.items.map((summary) => (
              <li key={summary.id}>
                <Anchor component={Link} to={`/summaries/${summary.id}`}>
                  Review the summary for {summary.client_name}
                </Anchor>{" "}
                <Badge color={summary.status === "approved" ? "green" : "yellow"}>{summary.status}</Badge>{" "}
                <Anchor component={Link} to={`/clients/${summary.client_id}`}>
                  {summary.client_name}'s history
                </Anchor>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="participants">
        <Title order={2} size="h3" id="participants">
          Participants
        </Title>
        {s.participants.length === 0 ? (
          <Empty>No participants yet.</Empty>
        ) : (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <SpeakingChart speakers={speakers} />
            <Table aria-labelledby="participants">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Speaking time</Table.Th>
                  <Table.Th>Share</Table.Th>
                  <Table.Th>Engagement</Table.Th>
                  <Table.Th>Follow-up priority</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {s.participants.map((p) => (
                  <Table.Tr key={p.name}>
                    <Table.Td>{p.name}</Table.Td>
                    <Table.Td>{p.role}</Table.Td>
                    <Table.Td>{formatSeconds(p.speaking_time_seconds)}</Table.Td>
                    <Table.Td>{Math.round(p.speaking_share * 100)} %</Table.Td>
                    <Table.Td>{p.engagement_level}</Table.Td>
                    <Table.Td>
                      {p.role === "client" ? priorityWithReasons(p.priority_score, p.priority_reasons) : "—"}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </SimpleGrid>
        )}
      </section>

      <SpeakingTimelineOf session={withTurns} />

      <SessionTranscript session={withTurns} wanted={wanted} />

      <section aria-labelledby="breakthroughs">
        <Title order={2} size="h3" id="breakthroughs">
          Breakthroughs
        </Title>
        {s.participants.every((p) => p.breakthroughs.length === 0) ? (
          <Empty>No breakthrough moments detected.</Empty>
        ) : (
          s.participants.flatMap((p) =>
            p.breakthroughs.map((moment) => (
              <Blockquote
                key={`${p.name}-${moment.turn}`}
                cite={`${p.name}, turn ${moment.turn}${moment.start !== null ? ` at ${formatSeconds(moment.start)}` : ""}`}
              >
                {moment.quote} <MomentLink summaryId={summaryOf(p.name)} turn={moment.turn} who={p.name} />
              </Blockquote>
            )),
          )
        )}
      </section>

      {s.supervision && (
        <section aria-labelledby="supervision">
          <Title order={2} size="h3" id="supervision">
            Your coaching
          </Title>
          <Table aria-labelledby="supervision" maw={480}>
            <Table.Tbody>
              <Metric name="Coach talk ratio" value={`${Math.round(s.supervision.coach_talk_ratio * 100)} %`} />
              <Metric name="Open questions" value={s.supervision.open_questions} />
              <Metric name="Closed questions" value={s.supervision.closed_questions} />
              <Metric name="Reflections" value={s.supervision.reflections} />
              <Metric name="Advice given" value={s.supervision.advice_giving} />
            </Table.Tbody>
          </Table>
        </section>
      )}
    </Stack>
  );
}

function Metric({ name, value }: { name: string; value: string | number }) {
  return (
    <Table.Tr>
      <Table.Th scope="row">{name}</Table.Th>
      <Table.Td>{value}</Table.Td>
    </Table.Tr>
  );
}

function MomentLink({ summaryId, turn, who }: { summaryId: string | undefined; turn: number; who: string }) {
  if (!summaryId) return null;
  return (
    // The visible words are the link's whole name (WCAG 2.5.3: what is seen is what a voice
    // user says).
    <Anchor component={Link} to={`/summaries/${summaryId}?turn=${turn}`}>
      Open {who}&apos;s moment at turn {turn}
    </Anchor>
  );
}

/** "0.50: said they feel stuck or overwhelmed; no win or breakthrough" — the score and why. */
function priorityWithReasons(score: number, reasons: { label: string }[] | undefined): string {
  const shown = score.toFixed(2);
  return reasons && reasons.length > 0 ? `${shown}: ${reasons.map((r) => r.label).join("; ")}` : shown;
}
