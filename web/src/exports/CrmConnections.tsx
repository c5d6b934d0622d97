import { Badge, Code, List, Stack, Text, Title } from "@mantine/core";
import { useAuth } from "../auth/AuthContext";
import { useLoad } from "../common/useLoad";
import { crmConnections } from "./api";
import type { CrmConnection } from "./types";

const CRMS = [
  { name: "HubSpot", kind: "hubspot", what: "contacts, notes for approved summaries, tasks for action items" },
  { name: "Salesforce", kind: "salesforce", what: "Contacts, a note per approved summary, Tasks for action items" },
] as const;

const when = (moment: string) =>
  new Date(moment).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Each CRM's connection (a token stored for the organization), what a push sends, and, while
 * one is not connected, how to connect it. Without the status the how-to still shows. */
export function CrmConnections() {
  const { api } = useAuth();
  const [loaded] = useLoad(() => crmConnections(api), [api]);
  const status = (kind: string): CrmConnection | undefined =>
    loaded.state === "ready" ? loaded.data.items.find((c) => c.kind === kind) : undefined;
  // Locally each organization's tokens are files of their own (one push never uses another's).
  const organizationId = loaded.state === "ready" ? loaded.data.organization_id : "<organization id>";
  return (
    <section aria-labelledby="crm-heading">
      <Stack>
        <Title order={2} id="crm-heading">
          CRM connections
        </Title>
        <Text size="sm">
          A schedule sent to a CRM pushes what changed since its last run. Each record carries an external id, so
          running again updates records instead of duplicating them.
        </Text>
        <List aria-label="CRMs">
          {CRMS.map((crm) => {
            const connection = status(crm.kind);
            return (
              <List.Item key={crm.kind}>
                <Text span fw={600}>
                  {crm.name}
                </Text>{" "}
                {connection && (
                  <Badge variant="light" color={connection.connected ? "green" : "gray"}>
                    {connection.connected ? "Connected" : "Not connected"}
                  </Badge>
                )}
                : {crm.what}.{" "}
                {connection?.connected ? (
                  <>
                    {connection.connected_at && <>Connected since {when(connection.connected_at)}. </>}
                    Choose “Straight into {crm.name}” for a schedule.
                  </>
                ) : (
                  <>
                    {connection?.reason === "credentials_unreadable" && (
                      <>Its stored token could not be read: store it again. </>
                    )}
                    To connect it, your administrator stores the {crm.name} OAuth token: on this computer in{" "}
                    <Code>
                      $COACH_HOME/secrets/crm/{organizationId}/{crm.kind}.json
                    </Code>
                    , in AWS in the platform's {crm.name} secret. Then choose “Straight into {crm.name}” for a schedule.
                  </>
                )}
              </List.Item>
            );
          })}
        </List>
      </Stack>
    </section>
  );
}
