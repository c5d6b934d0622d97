import { Text } from "@mantine/core";
import { formatDueDay } from "../common/time";

/**
 * When an action item is due ("by Fri 4 Dec") and the client's words it came from ("by
 * Friday"), shown beside the date rather than only on hover so keyboards and screen readers
 * get it too. Words that name no day ("before we meet again") are shown without one.
 */
export function DueDate({ due, phrase }: { due?: string | null; phrase?: string | null }) {
  if (!due && !phrase) return null;
  const said = phrase ? `“${phrase}”` : null;
  return (
    <Text span size="sm" title={said ? `From the words ${said}` : undefined}>
      {" — "}
      {due ? (
        <>
          by{" "}
          <time dateTime={due} style={{ whiteSpace: "nowrap" }}>
            {formatDueDay(due)}
          </time>
        </>
      ) : (
        "no fixed date"
      )}
      {said && (
        <Text span size="xs" c="dimmed">
          {" "}
          (said {said})
        </Text>
      )}
    </Text>
  );
}
