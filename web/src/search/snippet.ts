/** A snippet cut into plain and highlighted parts, from the server's [start, end) offsets.
 * The parts are rendered as text (a highlight as <mark>): the server's text is never HTML. */
export interface SnippetPart {
  text: string;
  highlighted: boolean;
}

export function snippetParts(snippet: string, highlights: readonly (readonly number[])[]): SnippetPart[] {
  // Sorted, clamped to the text, and overlaps merged: a bad offset must not repeat or lose text.
  const spans = highlights
    .map(([start = 0, end = 0]) => [
      Math.max(0, Math.min(start, snippet.length)),
      Math.max(0, Math.min(end, snippet.length)),
    ])
    .filter(([start, end]) => start! < end!)
    .sort((a, b) => a[0]! - b[0]!) as [number, number][];
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) parts.push({ text: snippet.slice(at, from), highlighted: false });
    const last = parts[parts.length - 1];
    // Overlapping or touching highlights read as one mark.
    if (from === at && last?.highlighted) last.text += snippet.slice(from, end);
    else parts.push({ text: snippet.slice(from, end), highlighted: true });
    at = end;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), highlighted: false });
  return parts;
}
