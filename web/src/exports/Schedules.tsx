import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useState, type FormEvent } from "react";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDateTime } from "../common/time";
import { useLoad } from "../common/useLoad";
import { createSchedule, deleteSchedule, schedules, setScheduleEnabled } from "./api";
import {
  DEFAULT_PLAN,
  LAST_DAY_OF_MONTH,
  WEEKDAYS,
  cronFrom,
  describeCron,
  looksLikeCron,
  planFrom,
  type Frequency,
  type Plan,
} from "./cron";
import { DESTINATIONS, FORMATS, labelOf } from "./options";
import type { Destination, ExportFormat, Schedule } from "./types";

const ZONES: string[] = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [
  "UTC",
];

const FREQUENCIES: { value: Frequency; label: string }[] = [
  { value: "daily", label: "Every day" },
  { value: "weekly", label: "Every week" },
  { value: "monthly", label: "Every month" },
];
const HOURS = Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, "0")}:00` }));
const DAYS = Array.from({ length: LAST_DAY_OF_MONTH }, (_, d) => String(d + 1));

/** The caller's schedules: list, create with the builder (or a cron), pause and resume, delete after a
 * confirmation. */
export function Schedules({ mappings }: { mappings: { value: string; label: string }[] }) {
  const { api } = useAuth();
  const zone = useTimeZone();
  const [list, reload] = useLoad(() => schedules(api), [api]);
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function toggle(schedule: Schedule) {
    setOutcome(null);
    const when = describeCron(schedule.cron, schedule.timezone);
    try {
      await setScheduleEnabled(api, schedule.id, !schedule.enabled);
      setOutcome({
        ok: true,
        text: schedule.enabled ? `Paused “${when}”.` : `Resumed “${when}”: it runs at its next time.`,
      });
      reload();
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    }
  }

  async function remove(schedule: Schedule) {
    setDeleting(null);
    setOutcome(null);
    try {
      await deleteSchedule(api, schedule.id);
      setOutcome({ ok: true, text: `Deleted the schedule “${describeCron(schedule.cron, schedule.timezone)}”.` });
      reload();
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    }
  }

  return (
    <section aria-labelledby="schedules-heading">
      <Stack>
        <Title order={2} id="schedules-heading">
          Schedules
        </Title>
        <Text size="sm" c="dimmed">
          A scheduled export carries only what changed since its last successful run.
        </Text>
        {list.state === "loading" && <Loading what="your schedules" />}
        {list.state === "error" && <ErrorNotice error={list.error} title="The schedules did not load" />}
        {list.state === "ready" && list.data.length === 0 && <Empty>No schedules yet: create one below.</Empty>}
        {list.state === "ready" && list.data.length > 0 && (
          <Table aria-label="Export schedules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Format</Table.Th>
                <Table.Th>Goes to</Table.Th>
                <Table.Th>Next run</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.map((schedule) => {
                const when = describeCron(schedule.cron, schedule.timezone);
                return (
                  <Table.Tr key={schedule.id}>
                    <Table.Td>
                      {when}
                      {schedule.include_sensitive && <Text size="xs">Includes sensitive items</Text>}
                    </Table.Td>
                    <Table.Td>{labelOf(FORMATS, schedule.format)}</Table.Td>
                    <Table.Td>{labelOf(DESTINATIONS, schedule.destination)}</Table.Td>
                    <Table.Td>
                      {schedule.enabled ? formatDateTime(schedule.next_run_at, zone) : "None: paused"}
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="default"
                          aria-label={`${schedule.enabled ? "Pause" : "Resume"} schedule ${when}`}
                          onClick={() => void toggle(schedule)}
                        >
                          {schedule.enabled ? "Pause" : "Resume"}
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          aria-label={`Delete schedule ${when}`}
                          onClick={() => setDeleting(schedule)}
                        >
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        {outcome && (
          <Alert role={outcome.ok ? "status" : "alert"} color={outcome.ok ? "green" : "red"}>
            {outcome.text}
          </Alert>
        )}
        <Modal
          opened={deleting !== null}
          onClose={() => setDeleting(null)}
          title="Delete this schedule?"
          closeButtonProps={{ "aria-label": "Close" }}
        >
          {deleting && (
            <Stack>
              <Text size="sm">
                “{describeCron(deleting.cron, deleting.timezone)}” will stop. Files it already made stay available until
                they expire.
              </Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setDeleting(null)}>
                  Keep it
                </Button>
                {/* Mantine's lighter reds fall below 4.5:1 under white text. */}
                <Button color="red.9" onClick={() => void remove(deleting)}>
                  Delete schedule
                </Button>
              </Group>
            </Stack>
          )}
        </Modal>
        <NewScheduleForm
          mappings={mappings}
          zone={zone}
          onCreated={(created) => {
            setOutcome({ ok: true, text: `Scheduled: ${describeCron(created.cron, created.timezone)}.` });
            reload();
          }}
        />
      </Stack>
    </section>
  );
}

function NewScheduleForm(props: {
  mappings: { value: string; label: string }[];
  zone: string;
  onCreated: (schedule: Schedule) => void;
}) {
  const { api } = useAuth();
  const [plan, setPlan] = useState<Plan>(DEFAULT_PLAN);
  const [advanced, setAdvanced] = useState(false);
  const [cron, setCron] = useState(cronFrom(DEFAULT_PLAN));
  const [timezone, setTimezone] = useState(props.zone);
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [mapping, setMapping] = useState("");
  const [destination, setDestination] = useState<Destination>("download");
  const [sensitive, setSensitive] = useState(false);
  const [bom, setBom] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const change = (next: Partial<Plan>) => {
    const changed = { ...plan, ...next };
    setPlan(changed);
    setCron(cronFrom(changed));
  };

  function toggleAdvanced(on: boolean) {
    setAdvanced(on);
    // Back to the builder: it takes over the cron it can say, else starts from its default.
    if (!on) {
      const said = planFrom(cron);
      setPlan(said ?? plan);
      setCron(cronFrom(said ?? plan));
    }
  }

  const cronInvalid = advanced && !looksLikeCron(cron);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (cronInvalid) return;
    setError(null);
    setSaving(true);
    try {
      const created = await createSchedule(api, {
        cron: cron.trim(),
        timezone,
        format,
        mapping: mapping || null,
        destination,
        include_sensitive: sensitive,
        bom: format === "csv" && bom,
      });
      props.onCreated(created);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby="new-schedule-heading">
      <Stack maw={560}>
        <Title order={3} size="h4" id="new-schedule-heading">
          New schedule
        </Title>
        {!advanced && (
          <Group align="end">
            <NativeSelect
              label="How often"
              data={FREQUENCIES}
              value={plan.frequency}
              onChange={(e) => change({ frequency: e.currentTarget.value as Frequency })}
            />
            {plan.frequency === "weekly" && (
              <NativeSelect
                label="On"
                data={WEEKDAYS.map((day, i) => ({ value: String(i), label: day }))}
                value={String(plan.weekday)}
                onChange={(e) => change({ weekday: Number(e.currentTarget.value) })}
              />
            )}
            {plan.frequency === "monthly" && (
              <NativeSelect
                label="On day"
                data={DAYS}
                value={String(plan.dayOfMonth)}
                onChange={(e) => change({ dayOfMonth: Number(e.currentTarget.value) })}
              />
            )}
            <NativeSelect
              label="At"
              data={HOURS}
              value={String(plan.hour)}
              onChange={(e) => change({ hour: Number(e.currentTarget.value) })}
            />
          </Group>
        )}
        <Switch
          label="Advanced: write the cron expression"
          checked={advanced}
          onChange={(e) => toggleAdvanced(e.currentTarget.checked)}
        />
        {advanced && (
          <TextInput
            label="Cron expression"
            description="Five fields: minute hour day-of-month month day-of-week, e.g. 0 6 * * 1. At most once an hour."
            value={cron}
            onChange={(e) => setCron(e.currentTarget.value)}
            error={cronInvalid ? "A cron has five fields, e.g. 0 6 * * 1" : undefined}
          />
        )}
        <Text size="sm" aria-live="polite">
          Runs: {describeCron(cron, timezone)}
        </Text>
        <Select
          label="Time zone"
          searchable
          data={ZONES.includes(timezone) ? ZONES : [timezone, ...ZONES]}
          value={timezone}
          onChange={(chosen) => chosen && setTimezone(chosen)}
        />
        <NativeSelect
          label="Schedule format"
          data={FORMATS}
          value={format}
          onChange={(e) => setFormat(e.currentTarget.value as ExportFormat)}
        />
        {format === "csv" && (
          <Checkbox
            label="Add a byte order mark for spreadsheets to every run"
            checked={bom}
            onChange={(e) => setBom(e.currentTarget.checked)}
          />
        )}
        <NativeSelect
          label="Schedule mapping"
          data={props.mappings}
          value={mapping}
          onChange={(e) => setMapping(e.currentTarget.value)}
        />
        <NativeSelect
          label="Send to"
          data={DESTINATIONS}
          value={destination}
          onChange={(e) => setDestination(e.currentTarget.value as Destination)}
        />
        <Checkbox
          label="Include sensitive items in every run"
          description="Health and other flagged items; the choice is recorded in the audit log."
          checked={sensitive}
          onChange={(e) => setSensitive(e.currentTarget.checked)}
        />
        {error !== null && <ErrorNotice error={error} title="The schedule was not created" />}
        <Group>
          <Button type="submit" loading={saving}>
            Create schedule
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
