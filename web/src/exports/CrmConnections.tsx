import { Code, List, Stack, Text, Title } from "@mantine/core";

const CRMS = [
  { name: "HubSpot", kind: "hubspot", what: "contacts, notes for approved summaries, tasks for action items" },
  { name: "Salesforce", kind: "salesforce", what: "Contacts, a note per approved summary, Tasks for action items" },
];

/** How a CRM is connected. The API does not say yet whether one is (no status route), so
 * this says how to connect and what a push sends. */
export function CrmConnections() {
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
          {CRMS.map((crm) => (
            <List.Item key={crm.kind}>
              <Text span fw={600}>
                {crm.name}
              </Text>
              : {crm.what}. To connect it, your administrator stores the {crm.name} OAuth token: on this computer in{" "}
              <Code>$COACH_HOME/secrets/crm-{crm.kind}.json</Code>, in AWS in the platform's {crm.name} secret. Then
              choose “Straight into {crm.name}” for a schedule.
            </List.Item>
          ))}
        </List>
      </Stack>
    </section>
  );
}
