import { Alert, Loader, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { sentenceFor } from "../api/errors";

/** Loading, error and empty, the same everywhere: the API's own sentence, never a code. */
export function Loading({ what }: { what: string }) {
  return (
    <div role="status" aria-live="polite">
      <Loader size="sm" aria-hidden /> <Text span>Loading {what}…</Text>
    </div>
  );
}

export function ErrorNotice({ error, title = "That did not work" }: { error: unknown; title?: string }) {
  return (
    <Alert role="alert" color="red" title={title}>
      {sentenceFor(error)}
    </Alert>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" role="note">
      {children}
    </Text>
  );
}
