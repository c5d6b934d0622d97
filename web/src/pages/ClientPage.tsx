import { Anchor, Group, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router-dom";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { unwrap } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDate } from "../common/time";
import { useLoad } from "../common/useLoad";

export function ClientPage() {
  const { clientId = "" } = useParams();
  const { api } = useAuth();
  const [client] = useLoad(
    async () => unwrap(await api.GET("/v1/clients/{client_id}", { params: { path: { client_id: clientId } } })),
    [api, clientId],
  );
  if (client.state === "loading") return <Loading what="the client" />;
  if (client.state === "error")
    return (
      <Stack>
        <Title order={1}>Client history</Title>
        <ErrorNotice error={client.error} title="The client did not load" />
      </Stack>
    );
  const c = client.data;
  const series = c.engagement_trend.series.map((point) => ({
    date: formatDate(point.session_date),
    value: point.value,
  }));
  return (
    <Stack>
      <Title order={1}>History of {c.name}</Title>
      <Group>
        <Text>Commitments kept: {c.commitments.kept}</Text>
        <Text>not kept: {c.commitments.not_kept}</Text>
        <Text>pending: {c.commitments.pending}</Text>
        <Text>Engagement is {c.engagement_trend.direction}</Text>
      </Group>
      <section aria-labelledby="engagement-trend">
        <Title order={2} size="h3" id="engagement-trend">
          Engagement trend
        </Title>
        {series.length === 0 ? (
          <Empty>No sessions yet.</Empty>
        ) : (
          <figure aria-label="Engagement trend chart" style={{ margin: 0 }}>
            <div aria-hidden style={{ width: "100%", height: 220 }}>
              <ResponsiveContainer>
                <LineChart data={series}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="date" />
                  <YAxis />
                  <Tooltip />
                  <Line dataKey="value" stroke="#1c7ed6" />
                </LineChart>
              </ResponsiveContainer>
            </div>
            <figcaption>Engagement per session, oldest first; the sessions table lists each level.</figcaption>
          </figure>
        )}
      </section>
      <section aria-labelledby="client-sessions">
        <Title order={2} size="h3" id="client-sessions">
          Sessions
        </Title>
        {c.sessions.length === 0 ? (
          <Empty>No sessions yet.</Empty>
        ) : (
          <Table aria-labelledby="client-sessions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Session</Table.Th>
                <Table.Th>Engagement</Table.Th>
                <Table.Th>Commitments</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.sessions.map((s) => (
                <Table.Tr key={s.session_id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/sessions/${s.session_id}`}>
                      Session of {formatDate(s.session_date)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{s.engagement_level ?? "—"}</Table.Td>
                  <Table.Td>{s.commitments.length}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </section>
    </Stack>
  );
}
