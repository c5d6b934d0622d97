import { Alert, Button, Code, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { unwrap, type Schemas } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";

type Step =
  | { kind: "password" }
  | { kind: "mfa"; session: string }
  | { kind: "mfa_setup"; session: string; secret: string; uri: string }
  | { kind: "new_password"; session: string };

type SignInAnswer = Schemas["Tokens"] | Schemas["ChallengeToAnswer"];

/** Password, then whatever the platform asks: an authenticator code, enrolling one, or a new
 * password in place of a temporary one. */
export function SignInPage() {
  const { api, signedIn } = useAuth();
  const navigate = useNavigate();
  // Why the person is here again, when a page sent them (a changed password ends sign-ins).
  const notice = (useLocation().state as { notice?: unknown } | null)?.notice;
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function follow(answer: SignInAnswer) {
    if ("access_token" in answer) {
      signedIn(answer);
      navigate("/", { replace: true });
      return;
    }
    setCode("");
    if (answer.challenge === "MFA") setStep({ kind: "mfa", session: answer.session });
    else if (answer.challenge === "NEW_PASSWORD_REQUIRED") setStep({ kind: "new_password", session: answer.session });
    else {
      const enrolment = unwrap(await api.POST("/v1/auth/mfa/setup", { body: { session: answer.session } }));
      setStep({ kind: "mfa_setup", session: enrolment.session, secret: enrolment.secret, uri: enrolment.otpauth_uri });
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (step.kind === "password") {
        await follow(unwrap(await api.POST("/v1/auth/login", { body: { email, password } })));
      } else if (step.kind === "mfa") {
        await follow(unwrap(await api.POST("/v1/auth/mfa", { body: { session: step.session, code } })));
      } else if (step.kind === "mfa_setup") {
        await follow(unwrap(await api.POST("/v1/auth/mfa/setup/confirm", { body: { session: step.session, code } })));
      } else {
        await follow(
          unwrap(
            await api.POST("/v1/auth/new-password", { body: { session: step.session, new_password: newPassword } }),
          ),
        );
      }
    } catch (caught) {
      setError(sentenceFor(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper component="main" maw={420} mx="auto" mt="xl" p="lg" withBorder>
      <Title order={1}>Sign in</Title>
      <form onSubmit={submit} aria-label="Sign in">
        <Stack mt="md">
          {typeof notice === "string" && !error && (
            <Alert role="status" color="green">
              {notice}
            </Alert>
          )}
          {error && (
            <Alert role="alert" color="red" title="Not signed in">
              {error}
            </Alert>
          )}
          {step.kind === "password" && (
            <>
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                required
                withAsterisk={false}
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                withAsterisk={false}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                Sign in
              </Button>
            </>
          )}
          {step.kind === "mfa_setup" && (
            <>
              <Title order={2} size="h4">
                Set up your authenticator app
              </Title>
              <Text size="sm">
                Your organization asks for a second step. Add this account to an authenticator app (open the link on a
                phone, or type the secret), then enter the code it shows.
              </Text>
              <Text size="sm">
                Secret: <Code aria-label="Authenticator secret">{step.secret}</Code>
              </Text>
              <a href={step.uri}>Open in authenticator app</a>
            </>
          )}
          {step.kind === "mfa" && (
            <Title order={2} size="h4">
              Enter your authenticator code
            </Title>
          )}
          {(step.kind === "mfa" || step.kind === "mfa_setup") && (
            <>
              <TextInput
                label="Authenticator code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
                withAsterisk={false}
                data-autofocus
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                {step.kind === "mfa" ? "Verify code" : "Confirm authenticator"}
              </Button>
            </>
          )}
          {step.kind === "new_password" && (
            <>
              <Title order={2} size="h4">
                Choose your own password
              </Title>
              <PasswordInput
                label="New password"
                autoComplete="new-password"
                required
                withAsterisk={false}
                value={newPassword}
                onChange={(e) => setNewPassword(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                Set password
              </Button>
            </>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
