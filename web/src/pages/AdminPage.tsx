import { Alert, Button, NumberInput, Stack, Switch, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { unwrap } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { ErrorNotice, Loading } from "../common/states";
import { useLoad } from "../common/useLoad";
import { UsersSection } from "./UsersSection";

export function AdminPage() {
  const { api } = useAuth();
  const [organization] = useLoad(async () => unwrap(await api.GET("/v1/organization")), [api]);
  const [mfaRequired, setMfaRequired] = useState(true);
  const [retentionDays, setRetentionDays] = useState<number | string>(2557);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    if (organization.state !== "ready") return;
    setMfaRequired(organization.data.settings.mfa_required ?? true);
    setRetentionDays(organization.data.settings.retention_days ?? 2557);
  }, [organization]);

  async function save() {
    setOutcome(null);
    try {
      unwrap(
        await api.PATCH("/v1/organization", {
          body: { mfa_required: mfaRequired, retention_days: Number(retentionDays) },
        }),
      );
      setOutcome({ ok: true, text: "Saved." });
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    }
  }

  return (
    <Stack maw={960}>
      <Title order={1}>Organization settings</Title>
      {organization.state === "loading" && <Loading what="the organization" />}
      {organization.state === "error" && <ErrorNotice error={organization.error} title="Settings did not load" />}
      {organization.state === "ready" && (
        <>
          <Switch
            label="Require an authenticator app (MFA)"
            checked={mfaRequired}
            onChange={(e) => setMfaRequired(e.currentTarget.checked)}
          />
          <NumberInput label="Keep sessions for (days)" min={1} value={retentionDays} onChange={setRetentionDays} />
          <Button onClick={() => void save()}>Save settings</Button>
          {outcome && (
            <Alert role={outcome.ok ? "status" : "alert"} color={outcome.ok ? "green" : "red"}>
              {outcome.text}
            </Alert>
          )}
        </>
      )}
      <UsersSection />
    </Stack>
  );
}
