import { Alert, Anchor, Badge, Button, Stack, Table, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { unwrap, type Schemas } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { useLoad } from "../common/useLoad";

type Template = Schemas["Template"];

/** Follow-up templates: system ones are read-only (copy one to change it). */
export function TemplatesPage() {
  const { api } = useAuth();
  const [list, reload] = useLoad(async () => unwrap(await api.GET("/v1/templates")), [api]);
  const [editing, setEditing] = useState<Template | null>(null);
  const [subject, setSubject] = useState("");
  const [content, setContent] = useState("");
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  function open(template: Template) {
    setEditing(template);
    setSubject(template.subject);
    setContent(template.content);
    setOutcome(null);
  }

  async function run(what: string, action: () => Promise<Template>) {
    setOutcome(null);
    try {
      open(await action());
      setOutcome({ ok: true, text: what });
      reload();
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    }
  }

  return (
    <Stack>
      <Title order={1}>Templates</Title>
      {outcome && (
        <Alert role={outcome.ok ? "status" : "alert"} color={outcome.ok ? "green" : "red"}>
          {outcome.text}
        </Alert>
      )}
      {list.state === "loading" && <Loading what="templates" />}
      {list.state === "error" && <ErrorNotice error={list.error} title="Templates did not load" />}
      {list.state === "ready" && list.data.items.length === 0 && <Empty>No templates.</Empty>}
      {list.state === "ready" && list.data.items.length > 0 && (
        <Table aria-label="Templates">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((template) => (
              <Table.Tr key={template.id}>
                <Table.Td>
                  <Anchor component="button" type="button" onClick={() => open(template)}>
                    {template.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {template.system ? <Badge>system</Badge> : <Badge color="gray">yours</Badge>}{" "}
                  {template.is_default && <Badge color="green">default for {template.default_for}</Badge>}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Copy ${template.name}`}
                    onClick={() =>
                      void run("Copied: edit your copy.", async () =>
                        unwrap(
                          await api.POST("/v1/templates/{template_id}/copy", {
                            params: { path: { template_id: template.id } },
                          }),
                        ),
                      )
                    }
                  >
                    Copy
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && (
        <Stack component="section" aria-labelledby="template-heading" maw={760}>
          <Title order={2} size="h3" id="template-heading">
            {editing.name}
          </Title>
          {editing.read_only && <Text size="sm">This template is read-only: copy it to change it.</Text>}
          <TextInput
            label="Template subject"
            value={subject}
            readOnly={editing.read_only}
            onChange={(e) => setSubject(e.currentTarget.value)}
          />
          <Textarea
            label="Template content"
            description={
              list.state === "ready" ? `Variables: ${Object.keys(list.data.variables).join(", ")}` : undefined
            }
            value={content}
            readOnly={editing.read_only}
            autosize
            minRows={8}
            onChange={(e) => setContent(e.currentTarget.value)}
          />
          {!editing.read_only && (
            <Button
              onClick={() =>
                void run("Saved.", async () =>
                  unwrap(
                    await api.PUT("/v1/templates/{template_id}", {
                      params: { path: { template_id: editing.id } },
                      body: {
                        name: editing.name,
                        subject,
                        content,
                        type: editing.type,
                        is_default: editing.is_default,
                        default_for: editing.default_for ?? "coach",
                        workshop_type: editing.workshop_type ?? null,
                      },
                    }),
                  ),
                )
              }
            >
              Save template
            </Button>
          )}
        </Stack>
      )}
    </Stack>
  );
}
