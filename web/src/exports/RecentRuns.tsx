import { Button, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDateTime } from "../common/time";
import type { Loaded } from "../common/useLoad";
import { exportJob } from "./api";
import { Downloads } from "./Downloads";
import { FORMATS, STATUS_LABEL, labelOf, rowsOf } from "./options";
import type { ExportJob } from "./types";

/** The caller's recent runs. Download links are short-lived, so a past run's are asked for
 * when wanted, not kept from the list. */
export function RecentRuns({ runs }: { runs: Loaded<ExportJob[]> }) {
  const zone = useTimeZone();
  return (
    <section aria-labelledby="runs-heading">
      <Stack>
        <Title order={2} id="runs-heading">
          Recent runs
        </Title>
        {runs.state === "loading" && <Loading what="recent runs" />}
        {runs.state === "error" && <ErrorNotice error={runs.error} title="The recent runs did not load" />}
        {runs.state === "ready" && runs.data.length === 0 && <Empty>No exports yet.</Empty>}
        {runs.state === "ready" && runs.data.length > 0 && (
          <Table aria-label="Recent export runs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Format</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Rows</Table.Th>
                <Table.Th>Files</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.map((run) => {
                const when = formatDateTime(run.created_at, zone);
                return (
                  <Table.Tr key={run.id}>
                    <Table.Td>{when}</Table.Td>
                    <Table.Td>{labelOf(FORMATS, run.format)}</Table.Td>
                    <Table.Td>
                      {STATUS_LABEL[run.status] ?? run.status}
                      {run.status === "failed" && run.error && <Text size="xs">{run.error}</Text>}
                    </Table.Td>
                    <Table.Td>{rowsOf(run)}</Table.Td>
                    <Table.Td>{run.status === "succeeded" && <RunFiles run={run} when={when} />}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </section>
  );
}

function RunFiles({ run, when }: { run: ExportJob; when: string }) {
  const { api } = useAuth();
  const [shown, setShown] = useState<{ state: "hidden" | "loading" } | { state: "error"; error: unknown } | ExportJob>({
    state: "hidden",
  });
  if ("id" in shown) return <Downloads files={shown.files ?? []} label={`Files of the run of ${when}`} />;
  return (
    <Stack gap={4}>
      <Button
        size="compact-sm"
        variant="default"
        loading={shown.state === "loading"}
        aria-label={`Get download links of the run of ${when}`}
        onClick={() => {
          setShown({ state: "loading" });
          exportJob(api, run.id).then(setShown, (error: unknown) => setShown({ state: "error", error }));
        }}
      >
        Get download links
      </Button>
      {shown.state === "error" && <ErrorNotice error={shown.error} title="The download links did not load" />}
    </Stack>
  );
}
