import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { unwrap, type Schemas } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { useTimeZone } from "../auth/ProfileContext";
import { explainReason } from "../common/reasons";
import { ErrorNotice, Loading } from "../common/states";
import { formatDateTime, zonedIsoFromLocalInput } from "../common/time";
import { FOLLOW_UP_COLOR } from "./FollowUpsPage";

type FollowUp = Schemas["FollowUp"];

export function FollowUpPage() {
  const { followUpId = "" } = useParams();
  const { api } = useAuth();
  const zone = useTimeZone();
  const [followUp, setFollowUp] = useState<FollowUp | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [sendAt, setSendAt] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [includeSensitive, setIncludeSensitive] = useState(false);
  const [withheld, setWithheld] = useState<number | null>(null);
  const path = { params: { path: { follow_up_id: followUpId } } };

  useEffect(() => {
    let current = true;
    api.GET("/v1/follow-ups/{follow_up_id}", path).then(
      (answer) => {
        if (!current) return;
        try {
          show(unwrap(answer));
        } catch (caught) {
          setLoadError(caught);
        }
      },
      (caught: unknown) => current && setLoadError(caught),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, followUpId]);

  function show(next: FollowUp) {
    setFollowUp(next);
    setSubject(next.subject ?? "");
    setBody(next.body ?? "");
  }

  async function act(what: string, run: () => Promise<FollowUp>) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      show(await run());
      setDone(what);
    } catch (caught) {
      setError(sentenceFor(caught));
    } finally {
      setBusy(false);
    }
  }

  if (loadError)
    return (
      <Stack>
        <Title order={1}>Follow-up</Title>
        <ErrorNotice error={loadError} title="The follow-up did not load" />
      </Stack>
    );
  if (!followUp) return <Loading what="the follow-up" />;
  const draft = followUp.status === "draft";
  // A failed send (no address, a bounce) may go again once the client's address is fixed.
  const failed = followUp.status === "failed";
  const changed = subject !== (followUp.subject ?? "") || body !== (followUp.body ?? "");

  return (
    <Stack maw={760}>
      <Title order={1}>Follow-up to {followUp.client_name}</Title>
      <Group>
        <Badge color={FOLLOW_UP_COLOR[followUp.status] ?? "gray"} aria-label={`Status: ${followUp.status}`}>
          {followUp.status}
        </Badge>
        {followUp.sent_at && <Text>Sent {formatDateTime(followUp.sent_at, zone)}</Text>}
        {followUp.scheduled_for && !followUp.sent_at && (
          <Text>Scheduled for {formatDateTime(followUp.scheduled_for, zone)}</Text>
        )}
        <Anchor component={Link} to={`/summaries/${followUp.summary_id}`}>
          The approved summary
        </Anchor>
      </Group>
      {followUp.status_reason && (
        <Alert role="alert" color="red" title="Why it was not sent">
          {explainReason(followUp.status_reason)}
        </Alert>
      )}
      {error && (
        <Alert role="alert" color="red" title="That did not work">
          {error}
        </Alert>
      )}
      {done && (
        <Alert role="status" color="green">
          {done}
        </Alert>
      )}
      <TextInput
        label="Subject"
        value={subject}
        onChange={(e) => setSubject(e.currentTarget.value)}
        readOnly={!draft}
      />
      <Textarea
        label="Body"
        value={body}
        onChange={(e) => setBody(e.currentTarget.value)}
        readOnly={!draft}
        autosize
        minRows={8}
      />
      {(draft || failed) && (
        <Group>
          {draft && (
            <Button
              variant="default"
              disabled={!changed}
              loading={busy}
              onClick={() =>
                act("Saved.", async () =>
                  unwrap(await api.PUT("/v1/follow-ups/{follow_up_id}", { ...path, body: { subject, body } })),
                )
              }
            >
              Save
            </Button>
          )}
          <Button
            disabled={changed}
            loading={busy}
            onClick={() =>
              act("Send attempted: the status says how it went.", async () =>
                unwrap(await api.POST("/v1/follow-ups/{follow_up_id}/send", path)),
              )
            }
          >
            {failed ? "Send again" : "Send now"}
          </Button>
        </Group>
      )}
      {draft && changed && <Text size="sm">Save your changes before sending.</Text>}
      {draft && (
        <Paper withBorder p="sm" component="section" aria-labelledby="preview-heading">
          <Title order={2} size="h4" id="preview-heading">
            Preview
          </Title>
          <Text fw={600}>{followUp.subject}</Text>
          <Text style={{ whiteSpace: "pre-wrap" }}>{followUp.body}</Text>
          {withheld !== null && withheld > 0 && (
            <Text size="sm" c="dimmed">
              {withheld} sensitive item{withheld === 1 ? " is" : "s are"} kept out of this email.
            </Text>
          )}
          <Group mt="sm" align="center">
            <Checkbox
              label="Include sensitive items"
              checked={includeSensitive}
              onChange={(e) => setIncludeSensitive(e.currentTarget.checked)}
            />
            <Button
              variant="default"
              size="xs"
              loading={busy}
              onClick={() =>
                act("Rendered again from the template.", async () => {
                  const rendered = unwrap(
                    await api.POST("/v1/follow-ups/{follow_up_id}/render", {
                      ...path,
                      body: { include_sensitive_items: includeSensitive },
                    }),
                  );
                  setWithheld(rendered.withheld_sensitive_items);
                  return rendered;
                })
              }
            >
              Render again
            </Button>
          </Group>
        </Paper>
      )}
      {(draft || followUp.status === "scheduled") && (
        <Paper withBorder p="sm" component="section" aria-labelledby="schedule-heading">
          <Title order={2} size="h4" id="schedule-heading">
            Schedule
          </Title>
          <Group align="end">
            <TextInput
              label="Send at"
              description={`Your time zone: ${zone}`}
              type="datetime-local"
              value={sendAt}
              onChange={(e) => setSendAt(e.currentTarget.value)}
            />
            <Button
              disabled={!sendAt || changed}
              loading={busy}
              onClick={() =>
                act("Scheduled.", async () =>
                  unwrap(
                    await api.POST("/v1/follow-ups/{follow_up_id}/schedule", {
                      ...path,
                      body: { at: zonedIsoFromLocalInput(sendAt, zone) },
                    }),
                  ),
                )
              }
            >
              Schedule
            </Button>
            {followUp.status === "scheduled" && (
              <Button
                variant="default"
                loading={busy}
                onClick={() =>
                  act("Cancelled.", async () => unwrap(await api.POST("/v1/follow-ups/{follow_up_id}/cancel", path)))
                }
              >
                Cancel scheduled send
              </Button>
            )}
          </Group>
        </Paper>
      )}
    </Stack>
  );
}
