import { Alert, Badge, Button, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { unwrap } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDateTime } from "../common/time";
import { useLoad } from "../common/useLoad";

/** Failed processing runs: metadata only (support never sees client content). */
export function SupportPage() {
  const { api } = useAuth();
  const zone = useTimeZone();
  const [runs, reload] = useLoad(
    async () => unwrap(await api.GET("/v1/executions", { params: { query: { status: "failed", limit: 100 } } })),
    [api],
  );
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function redrive(name: string, how: "redrive" | "replay") {
    setBusy(name);
    setOutcome(null);
    try {
      const path = how === "redrive" ? "/v1/executions/{name}/redrive" : "/v1/executions/{name}/replay";
      const run = unwrap(await api.POST(path, { params: { path: { name } } }));
      setOutcome({ ok: true, text: `${how === "redrive" ? "Redriven" : "Replayed"}: ${run.name} is ${run.status}.` });
      reload();
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <Stack>
      <Title order={1}>Failed runs</Title>
      {outcome && (
        <Alert role={outcome.ok ? "status" : "alert"} color={outcome.ok ? "green" : "red"}>
          {outcome.text}
        </Alert>
      )}
      {runs.state === "loading" && <Loading what="runs" />}
      {runs.state === "error" && <ErrorNotice error={runs.error} title="Runs did not load" />}
      {runs.state === "ready" && runs.data.items.length === 0 && <Empty>No failed runs. Nothing to do.</Empty>}
      {runs.state === "ready" && runs.data.items.length > 0 && (
        <Table striped aria-label="Failed runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Failed step</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.data.items.map((run) => (
              <Table.Tr key={run.name}>
                <Table.Td>
                  <Text size="sm">{run.file_name ?? run.name}</Text>
                  <Badge color="red">{run.status}</Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(run.started_at, zone)}</Table.Td>
                <Table.Td>{run.failed_step ?? "—"}</Table.Td>
                <Table.Td>{run.reason ?? run.error ?? "—"}</Table.Td>
                <Table.Td>
                  {run.redrive_helps === false ? (
                    <Text size="sm">Redrive would fail the same way: the input must be fixed.</Text>
                  ) : (
                    <Button size="xs" aria-label={`Redrive ${run.name}`} loading={busy === run.name} onClick={() => void redrive(run.name, "redrive")}>
                      Redrive
                    </Button>
                  )}{" "}
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Replay ${run.name}`}
                    loading={busy === run.name}
                    onClick={() => void redrive(run.name, "replay")}
                  >
                    Replay
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
