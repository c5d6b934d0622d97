import { Alert, Button, PasswordInput, Stack, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { unwrap } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";

export const PASSWORD_CHANGED =
  "Your password is changed, and every sign-in with the old one has ended. Sign in with the new one.";

/** The signed-in person's own password: the current one, then the new one twice. A change
 * ends every sign-in, this one too, so it goes on to Sign in, saying why. */
export function ChangePassword() {
  const { api, signOut } = useAuth();
  const navigate = useNavigate();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeated, setRepeated] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const mismatch = repeated.length > 0 && repeated !== next;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setFailure(null);
    try {
      unwrap(await api.POST("/v1/account/password", { body: { current_password: current, new_password: next } }));
    } catch (error) {
      setFailure(sentenceFor(error));
      setBusy(false);
      return;
    }
    await signOut(); // ended by the API already: this forgets it here
    navigate("/sign-in", { state: { notice: PASSWORD_CHANGED } });
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
          {failure && (
            <Alert role="alert" color="red">
              {failure}
            </Alert>
          )}
        </Stack>
      </form>
    </section>
  );
}
