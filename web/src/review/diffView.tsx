import { diffWords } from "diff";
import type { Change } from "./reviewState";

const SECTION_NAMES: Record<string, string> = {
  wins: "Win",
  challenges: "Challenge",
  action_items: "Action",
  coach_recommendations: "Recommendation",
};

export function itemLabel(change: Pick<Change, "section" | "position">): string {
  return `${SECTION_NAMES[change.section] ?? change.section} ${change.position}`;
}

export interface WordPart {
  text: string;
  kind: "same" | "added" | "removed";
}

/** Word-level parts of a change, so the coach sees exactly which words moved. */
export function wordParts(before: string | null, after: string | null): WordPart[] {
  return diffWords(before ?? "", after ?? "").map((part) => ({
    text: part.value,
    kind: part.added ? "added" : part.removed ? "removed" : "same",
  }));
}

function describeExtras(change: Change): string[] {
  const notes: string[] = [];
  const before = change.before as { owner?: string | null; due?: string | null } | null;
  const after = change.after as { owner?: string | null; due?: string | null } | null;
  if ((before?.owner ?? null) !== (after?.owner ?? null))
    notes.push(`owner: ${before?.owner ?? "none"} → ${after?.owner ?? "none"}`);
  if ((before?.due ?? null) !== (after?.due ?? null))
    notes.push(`due: ${before?.due ?? "none"} → ${after?.due ?? "none"}`);
  if (change.note) notes.push(change.note);
  return notes;
}

/** The changes one refinement made: removed words struck through, added words marked. */
export function DiffView({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p>No words changed.</p>;
  return (
    <ul aria-label="Changes" className="diff">
      {changes.map((change, index) => (
        <li key={index} aria-label={`${itemLabel(change)} ${change.change}`}>
          <strong>
            {itemLabel(change)} {change.change}
          </strong>
          {": "}
          {wordParts(change.before?.text ?? null, change.after?.text ?? null).map((part, i) =>
            part.kind === "added" ? (
              <ins key={i}>{part.text}</ins>
            ) : part.kind === "removed" ? (
              <del key={i}>{part.text}</del>
            ) : (
              <span key={i}>{part.text}</span>
            ),
          )}
          {describeExtras(change).map((note) => (
            <small key={note}> ({note})</small>
          ))}
        </li>
      ))}
    </ul>
  );
}
