import { Stack, Text, Title } from "@mantine/core";
import { useAuth } from "../auth/AuthContext";
import { useLoad } from "../common/useLoad";
import { recentJobs, savedMappings } from "./api";
import { CrmConnections } from "./CrmConnections";
import { mappingOptions } from "./options";
import type { Wait } from "./poll";
import { RecentRuns } from "./RecentRuns";
import { RunExport } from "./RunExport";
import { Schedules } from "./Schedules";

const SCOPE = {
  coach: "your own clients",
  coach_lead: "your team's clients",
  admin: "your whole organization",
  support: "nothing",
};

/** Coaching data out: now, on a schedule, or into a CRM. `wait` is the pause between
 * progress checks (tests pass their own). */
export function ExportsPage({ wait }: { wait?: Wait }) {
  const { api, person } = useAuth();
  const [runs, reloadRuns] = useLoad(() => recentJobs(api), [api]);
  const [saved] = useLoad(() => savedMappings(api), [api]);
  // The saved ones join the ready-made ones when they load; without them the page still works.
  const mappings = mappingOptions(saved.state === "ready" ? saved.data : []);
  return (
    <Stack>
      <Title order={1}>Exports</Title>
      <Text size="sm" c="dimmed">
        Sessions, clients, approved summaries and action items of {SCOPE[person?.role ?? "support"]}. Drafts are never
        exported.
      </Text>
      <RunExport mappings={mappings} onFinished={reloadRuns} wait={wait} />
      <RecentRuns runs={runs} />
      <Schedules mappings={mappings} />
      <CrmConnections />
    </Stack>
  );
}
