import { Alert, Badge, Button, Stack, Table, Text, Title } from "@mantine/core";
import { Fragment, useState } from "react";
import type { Schemas } from "../api/client";
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
  const [steps, setSteps] = useState<{ name: string; detail: Schemas["RunDetail"] | null; error: unknown } | null>(
    null,
  );

  async function showSteps(name: string) {
    if (steps?.name === name) return setSteps(null);
    setSteps({ name, detail: null, error: null });
    try {
      const detail = unwrap(await api.GET("/v1/executions/{name}", { params: { path: { name } } }));
      setSteps({ name, detail, error: null });
    } catch (error) {
      setSteps({ name, detail: null, error });
    }
  }

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
              <Fragment key={run.name}>
                <Table.Tr>
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
                      <Button
                        size="xs"
                        aria-label={`Redrive ${run.name}`}
                        loading={busy === run.name}
                        onClick={() => void redrive(run.name, "redrive")}
                      >
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
                    </Button>{" "}
                    <Button
                      size="xs"
                      variant="subtle"
                      aria-label={`Steps of ${run.name}`}
                      aria-expanded={steps?.name === run.name}
                      onClick={() => void showSteps(run.name)}
                    >
                      Steps
                    </Button>
                  </Table.Td>
                </Table.Tr>
                {steps?.name === run.name && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      {steps.error ? (
                        <ErrorNotice error={steps.error} title="Steps did not load" />
                      ) : !steps.detail ? (
                        <Loading what="steps" />
                      ) : (
                        <ol aria-label={`Step timeline of ${run.name}`}>
                          {steps.detail.states.map((state, index) => (
                            <li key={index}>
                              {state.name}: {state.status} ({formatDateTime(state.entered_at, zone)}
                              {state.exited_at ? ` → ${formatDateTime(state.exited_at, zone)}` : ""})
                              {state.error ? ` — ${state.error}` : ""}
                            </li>
                          ))}
                        </ol>
                      )}
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
