import { Alert, Button, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";

/** Ends every sign-in of the person (a lost laptop, a shared computer), then back to Sign in. */
export function SignOutEverywhere() {
  const { signOutEverywhere } = useAuth();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function endAll() {
    setBusy(true);
    setFailure(null);
    try {
      await signOutEverywhere();
      navigate("/sign-in");
    } catch (error) {
      setFailure(sentenceFor(error));
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="sign-ins-heading">
      <Stack maw={420}>
        <Title order={2} size="h3" id="sign-ins-heading">
          Your sign-ins
        </Title>
        <Text size="sm">Ends your sign-in on every device and browser, this one too.</Text>
        <Button color="red.9" variant="outline" loading={busy} onClick={() => void endAll()}>
          Sign out everywhere
        </Button>
        {failure && (
          <Alert role="alert" color="red">
            {failure}
          </Alert>
        )}
      </Stack>
    </section>
  );
}
