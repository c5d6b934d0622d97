import { Alert, Button, PasswordInput, Stack, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { unwrap } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";

/** The signed-in person's own password: the current one, then the new one twice. */
export function ChangePassword() {
  const { api } = useAuth();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeated, setRepeated] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const mismatch = repeated.length > 0 && repeated !== next;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setOutcome(null);
    try {
      unwrap(await api.POST("/v1/account/password", { body: { current_password: current, new_password: next } }));
      setCurrent("");
      setNext("");
      setRepeated("");
      setOutcome({ ok: true, text: "Your password is changed." });
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="password-heading">
      <form onSubmit={submit} aria-label="Change password">
        <Stack maw={420}>
          <Title order={2} size="h3" id="password-heading">
            Change password
          </Title>
          <PasswordInput
            label="Current password"
            required
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
          />
          <PasswordInput
            label="New password"
            description="At least 12 characters"
            required
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
          />
          <PasswordInput
            label="Repeat the new password"
            required
            autoComplete="new-password"
            value={repeated}
            error={mismatch ? "The two new passwords differ." : undefined}
            onChange={(e) => setRepeated(e.currentTarget.value)}
          />
          <Button type="submit" loading={busy} disabled={mismatch}>
            Change password
          </Button>
          {outcome && (
            <Alert role={outcome.ok ? "status" : "alert"} color={outcome.ok ? "green" : "red"}>
              {outcome.text}
            </Alert>
          )}
        </Stack>
      </form>
    </section>
  );
}
