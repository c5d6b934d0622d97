import { Alert, Button, Checkbox, Group, Loader, NativeSelect, Stack, Text, TextInput, Title } from "@mantine/core";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useAuth } from "../auth/AuthContext";
import { ErrorNotice } from "../common/states";
import { exportJob, startExport } from "./api";
import { Downloads } from "./Downloads";
import { AFTER_A_FAILURE, FORMATS, STATUS_LABEL, rowsOf } from "./options";
import { followJob, timerWait, type Wait } from "./poll";
import type { ExportFormat, ExportJob, RunRequest } from "./types";

type Progress =
  | { state: "idle" }
  | { state: "starting" }
  | { state: "following"; job: ExportJob }
  | { state: "lost"; job: ExportJob | null; error: unknown };

/** Run an export now, follow it to its end, and offer its files. */
export function RunExport(props: {
  mappings: { value: string; label: string }[];
  onFinished: () => void;
  wait?: Wait;
}) {
  const { api } = useAuth();
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [since, setSince] = useState("");
  const [mapping, setMapping] = useState("");
  const [sensitive, setSensitive] = useState(false);
  const [bom, setBom] = useState(false);
  const [progress, setProgress] = useState<Progress>({ state: "idle" });
  const following = useRef<AbortController | null>(null);
  const { onFinished, wait = timerWait } = props;

  // Leaving the page stops the asking.
  useEffect(() => () => following.current?.abort(), []);

  async function run(event: FormEvent) {
    event.preventDefault();
    following.current?.abort();
    const controller = new AbortController();
    following.current = controller;
    const request: RunRequest = {
      format,
      since: since || null,
      mapping: mapping || null,
      include_sensitive: sensitive,
      bom: format === "csv" && bom,
    };
    setProgress({ state: "starting" });
    let last: ExportJob | null = null;
    try {
      const started = await startExport(api, request);
      last = started;
      setProgress({ state: "following", job: started });
      await followJob(
        () => exportJob(api, started.id),
        (job) => {
          last = job;
          setProgress({ state: "following", job });
        },
        controller.signal,
        wait,
      );
      onFinished();
    } catch (error) {
      if (!controller.signal.aborted) setProgress({ state: "lost", job: last, error });
    }
  }

  const busy =
    progress.state === "starting" ||
    (progress.state === "following" && !["succeeded", "failed"].includes(progress.job.status));

  return (
    <section aria-labelledby="run-heading">
      <Stack>
        <Title order={2} id="run-heading">
          Run an export now
        </Title>
        <form onSubmit={(event) => void run(event)} aria-label="Run an export now">
          <Stack maw={560}>
            <NativeSelect
              label="Format"
              data={FORMATS}
              value={format}
              onChange={(e) => setFormat(e.currentTarget.value as ExportFormat)}
            />
            <TextInput
              label="Only what changed since (optional)"
              description="Leave empty for everything you can see."
              type="date"
              value={since}
              onChange={(e) => setSince(e.currentTarget.value)}
            />
            <NativeSelect
              label="Field mapping"
              description="Column names and layout for a CRM import, or a mapping saved in your organization."
              data={props.mappings}
              value={mapping}
              onChange={(e) => setMapping(e.currentTarget.value)}
            />
            {format === "csv" && (
              <Checkbox
                label="Add a byte order mark for spreadsheets"
                description="Lets Excel open names with accents correctly."
                checked={bom}
                onChange={(e) => setBom(e.currentTarget.checked)}
              />
            )}
            <Checkbox
              label="Include sensitive items"
              description="Off: items flagged as sensitive (health and the other flagged kinds) are left out."
              checked={sensitive}
              onChange={(e) => setSensitive(e.currentTarget.checked)}
            />
            {sensitive && (
              <Alert color="yellow" title="This export will contain sensitive items" role="note">
                Health and other flagged items your clients shared in confidence will be in the files. Keep them where
                only the people who need them can read them. Choosing this is recorded in the audit log.
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={busy}>
                Run export
              </Button>
            </Group>
          </Stack>
        </form>
        <JobProgress progress={progress} />
      </Stack>
    </section>
  );
}

function JobProgress({ progress }: { progress: Progress }) {
  if (progress.state === "idle") return null;
  if (progress.state === "starting") {
    return (
      <div role="status" aria-live="polite">
        <Loader size="sm" aria-hidden /> <Text span>Starting the export…</Text>
      </div>
    );
  }
  if (progress.state === "lost") {
    return (
      <ErrorNotice
        error={progress.error}
        title={progress.job ? "The export's progress could not be checked" : "The export did not start"}
      />
    );
  }
  const { job } = progress;
  if (job.status === "failed") {
    return (
      <Alert role="alert" color="red" title="The export failed">
        <Text size="sm">{job.error || "The export stopped before it finished."}</Text>
        <Text size="sm">{AFTER_A_FAILURE}</Text>
      </Alert>
    );
  }
  if (job.status === "succeeded") {
    const files = job.files ?? [];
    return (
      <Alert role="status" color="green" title="Your export is ready">
        {files.length === 0 ? (
          <Text size="sm">Nothing to export: no records match.</Text>
        ) : (
          <>
            <Text size="sm">Download links work for a short while; run the export again for fresh ones.</Text>
            <Downloads files={files} label="Files of this export" />
          </>
        )}
      </Alert>
    );
  }
  return (
    <div role="status" aria-live="polite">
      <Loader size="sm" aria-hidden /> <Text span>{STATUS_LABEL[job.status]}…</Text>
      {rowsOf(job) > 0 && <Text span> {rowsOf(job)} rows so far.</Text>}
    </div>
  );
}
