import { Anchor, Badge, Select, Stack, Table, Title } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router-dom";
import { unwrap } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { explainReason } from "../common/reasons";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDateTime } from "../common/time";
import { useLoad } from "../common/useLoad";

type Status = "draft" | "scheduled" | "sending" | "sent" | "failed";
export const FOLLOW_UP_COLOR: Record<string, string> = {
  draft: "yellow",
  scheduled: "blue",
  sending: "blue",
  sent: "green",
  failed: "red",
};

export function FollowUpsPage() {
  const { api } = useAuth();
  const zone = useTimeZone();
  const [status, setStatus] = useState<string | null>(null);
  const [page] = useLoad(
    async () =>
      unwrap(
        await api.GET("/v1/follow-ups", {
          params: { query: { limit: 50, ...(status ? { status: status as Status } : {}) } },
        }),
      ),
    [api, status],
  );
  return (
    <Stack>
      <Title order={1}>Follow-ups</Title>
      <Select
        label="Status"
        placeholder="Any status"
        clearable
        maw={240}
        data={["draft", "scheduled", "sending", "sent", "failed"]}
        value={status}
        onChange={setStatus}
      />
      {page.state === "loading" && <Loading what="follow-ups" />}
      {page.state === "error" && <ErrorNotice error={page.error} title="Follow-ups did not load" />}
      {page.state === "ready" && page.data.items.length === 0 && (
        <Empty>No follow-ups{status ? ` with status ${status}` : ""}.</Empty>
      )}
      {page.state === "ready" && page.data.items.length > 0 && (
        <Table striped aria-label="Follow-ups">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Client</Table.Th>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>When</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {page.data.items.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/follow-ups/${f.id}`}>
                    Follow-up to {f.client_name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{f.subject ?? "—"}</Table.Td>
                <Table.Td>
                  <Badge color={FOLLOW_UP_COLOR[f.status] ?? "gray"}>{f.status}</Badge>
                  {f.status_reason && <div>{explainReason(f.status_reason)}</div>}
                </Table.Td>
                <Table.Td>
                  {f.sent_at
                    ? `Sent ${formatDateTime(f.sent_at, zone)}`
                    : f.scheduled_for
                      ? `Scheduled for ${formatDateTime(f.scheduled_for, zone)}`
                      : `Drafted ${formatDateTime(f.created_at, zone)}`}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
