import { Alert, Badge, Button, Stack, Table, Text, Title } from "@mantine/core";
import { Fragment, useEffect, useState } from "react";
import type { Schemas } from "../api/client";
import { unwrap } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDateTime } from "../common/time";
import { useLoad } from "../common/useLoad";
import { isRunning, laterRunBadge, runStateSentence, timelineOf } from "../support/runs";

// How often a rerun still going is read again, until it ends.
const FOLLOW_MS = 2000;

/** Failed processing runs: metadata only (support never sees client content). A redrive or
 * replay is followed until it ends, so support sees whether it helped. */
export function SupportPage({ followMs = FOLLOW_MS }: { followMs?: number } = {}) {
  const { api } = useAuth();
  const zone = useTimeZone();
  const [runs, reload] = useLoad(
    async () => unwrap(await api.GET("/v1/executions", { params: { query: { status: "failed", limit: 100 } } })),
    [api],
  );
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [rerun, setRerun] = useState<{ verb: string; name: string; status: string } | null>(null);
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
    setRerun(null);
    try {
      const path = how === "redrive" ? "/v1/executions/{name}/redrive" : "/v1/executions/{name}/replay";
      const run = unwrap(await api.POST(path, { params: { path: { name } } }));
      setRerun({ verb: how === "redrive" ? "Redriven" : "Replayed", name: run.name, status: run.status });
      reload();
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    } finally {
      setBusy(null);
    }
  }

  // Read a rerun again while it runs: its end (and whether it failed again) shows here.
  const following = rerun && isRunning(rerun.status) ? rerun.name : null;
  useEffect(() => {
    if (!following) return;
    const timer = setTimeout(async () => {
      try {
        const run = unwrap(await api.GET("/v1/executions/{name}", { params: { path: { name: following } } }));
        setRerun((now) => (now?.name === run.name ? { ...now, status: run.status } : now));
        if (!isRunning(run.status)) reload();
      } catch (error) {
        setOutcome({ ok: false, text: sentenceFor(error) });
        setRerun((now) => (now ? { ...now, status: "unknown" } : now));
      }
    }, followMs);
    return () => clearTimeout(timer);
  }, [api, following, followMs, rerun, reload]);

  return (
    <Stack>
      <Title order={1}>Failed runs</Title>
      {rerun && (
        <Alert role="status" color={isRunning(rerun.status) ? "blue" : "green"} title="Rerun">
          {rerun.verb}: {runStateSentence(rerun.name, rerun.status)}
        </Alert>
      )}
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
                    {run.later_run && run.later_run_status && (
                      <>
                        {" "}
                        <Badge color={laterRunBadge(run.later_run_status).color}>
                          {laterRunBadge(run.later_run_status).label}
                        </Badge>
                        <Text size="xs">{runStateSentence(run.later_run, run.later_run_status)}</Text>
                      </>
                    )}
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
                        <Table aria-label={`Step timeline of ${run.name}`}>
                          <Table.Thead>
                            <Table.Tr>
                              <Table.Th>Step</Table.Th>
                              <Table.Th>Started</Table.Th>
                              <Table.Th>Finished</Table.Th>
                              <Table.Th>Outcome</Table.Th>
                            </Table.Tr>
                          </Table.Thead>
                          <Table.Tbody>
                            {timelineOf(steps.detail.states).map((row, index) => (
                              <Table.Tr key={index}>
                                <Table.Td>{row.step}</Table.Td>
                                <Table.Td>{row.started ? formatDateTime(row.started, zone) : "—"}</Table.Td>
                                <Table.Td>{row.finished ? formatDateTime(row.finished, zone) : "—"}</Table.Td>
                                <Table.Td>
                                  <Badge color={row.color}>{row.outcome}</Badge>
                                  {row.error ? <Text size="sm">{row.error}</Text> : null}
                                </Table.Td>
                              </Table.Tr>
                            ))}
                          </Table.Tbody>
                        </Table>
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
