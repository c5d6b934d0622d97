import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { unwrap } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDate, formatDateTime } from "../common/time";
import { useLoad } from "../common/useLoad";
import { useLive } from "../live/LiveContext";
import { applyPush, describeStatus, type LiveStatus } from "../live/liveStatus";
import { FollowUpFirst } from "./FollowUpFirst";

const STATUS_COLOR: Record<string, string> = {
  completed: "green",
  failed: "red",
  processing: "blue",
  received: "gray",
};

export function DashboardPage() {
  const { api } = useAuth();
  const { socket } = useLive();
  const zone = useTimeZone();
  const [sessions, reloadSessions] = useLoad(
    async () => unwrap(await api.GET("/v1/sessions", { params: { query: { limit: 20 } } })),
    [api],
  );
  const [queue] = useLoad(
    async () => unwrap(await api.GET("/v1/follow-ups", { params: { query: { status: "draft", limit: 10 } } })),
    [api],
  );
  const [review] = useLoad(
    async () => unwrap(await api.GET("/v1/summaries", { params: { query: { status: "draft", limit: 20 } } })),
    [api],
  );
  const [live, setLive] = useState<Record<string, LiveStatus>>({});

  useEffect(
    () =>
      socket.onPush((push) => {
        setLive((statuses) => applyPush(statuses, push));
        // A finished run, or a session this list has not read yet: read the list again.
        if (push.type === "session_ready" || push.type === "session_failed") reloadSessions();
      }),
    [socket, reloadSessions],
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Dashboard</Title>
        <Button component={Link} to="/upload">
          Upload a transcript
        </Button>
      </Group>
      <section aria-labelledby="recent-sessions">
        <Title order={2} id="recent-sessions" size="h3">
          Recent sessions
        </Title>
        {sessions.state === "loading" && <Loading what="sessions" />}
        {sessions.state === "error" && <ErrorNotice error={sessions.error} title="Sessions did not load" />}
        {sessions.state === "ready" && sessions.data.items.length === 0 && (
          <Empty>No sessions yet. Upload a transcript to see it here.</Empty>
        )}
        {sessions.state === "ready" && sessions.data.items.length > 0 && (
          <Table aria-labelledby="recent-sessions" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Session</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Coach</Table.Th>
                <Table.Th>Received</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.items.map((session) => {
                const now = live[session.session_id];
                const status =
                  now && session.status !== "completed" && session.status !== "failed" ? now.status : session.status;
                return (
                  <Table.Tr key={session.session_id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/sessions/${session.session_id}`}>
                        Session of {formatDate(session.session_date ?? session.created_at?.slice(0, 10))}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{session.session_type ?? "—"}</Table.Td>
                    <Table.Td>{session.coach ?? "—"}</Table.Td>
                    <Table.Td>{formatDateTime(session.created_at, zone)}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[status] ?? "gray"} aria-live="polite">
                        {describeStatus(status, now?.step ?? null)}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </section>
      <FollowUpFirst />
      <section aria-labelledby="review-queue">
        <Title order={2} id="review-queue" size="h3">
          Waiting for review
        </Title>
        {review.state === "loading" && <Loading what="summaries" />}
        {review.state === "error" && <ErrorNotice error={review.error} title="Summaries did not load" />}
        {review.state === "ready" && review.data.items.length === 0 && (
          <Empty>Nothing waiting for review. Every summary is approved.</Empty>
        )}
        {review.state === "ready" && review.data.items.length > 0 && (
          <ul aria-labelledby="review-queue">
            {review.data.items.map((summary) => (
              <li key={summary.id}>
                <Anchor component={Link} to={`/summaries/${summary.id}`}>
                  {summary.client_name}, session of {formatDate(summary.session_date)}
                </Anchor>
                {summary.edited ? " (edited)" : ""}
              </li>
            ))}
          </ul>
        )}
        {review.state === "ready" && review.data.next_offset !== null && (
          <Text size="sm">The {review.data.items.length} newest are shown; more are waiting.</Text>
        )}
      </section>
      <section aria-labelledby="follow-up-queue">
        <Title order={2} id="follow-up-queue" size="h3">
          Follow-ups to send
        </Title>
        {queue.state === "loading" && <Loading what="follow-ups" />}
        {queue.state === "error" && <ErrorNotice error={queue.error} title="Follow-ups did not load" />}
        {queue.state === "ready" && queue.data.items.length === 0 && <Empty>Nothing waiting to be sent.</Empty>}
        {queue.state === "ready" && queue.data.items.length > 0 && (
          <ul>
            {queue.data.items.map((followUp) => (
              <li key={followUp.id}>
                <Anchor component={Link} to={`/follow-ups/${followUp.id}`}>
                  Follow-up to {followUp.client_name}
                </Anchor>{" "}
                (drafted {formatDateTime(followUp.created_at, zone)})
              </li>
            ))}
          </ul>
        )}
      </section>
    </Stack>
  );
}
