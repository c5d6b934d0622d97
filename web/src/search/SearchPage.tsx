import { Alert, Anchor, Autocomplete, Badge, Button, Group, Paper, Pill, Stack, Text, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDate, formatSeconds } from "../common/time";
import { search, similar, suggest } from "./api";
import { chipKey, chipsFor, kindLabel, searchWithout, wordsOf, type Chip, type ChipWords } from "./filters";
import { snippetParts } from "./snippet";
import type { SearchAnswer, SearchRequest, SearchResult, Suggestion } from "./types";

const PAGE = 20;
// Suggestions are asked for once typing pauses, not on every key.
const SUGGEST_DELAY_MS = 250;

type Shown =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "error"; error: unknown }
  | { state: "ready"; answer: SearchAnswer; results: SearchResult[] };

/** What a list of results answers: the coach's question, or "more like" one result. */
type Asked = { kind: "search"; request: SearchRequest; words: ChipWords } | { kind: "similar"; of: SearchResult };

export function SearchPage() {
  const { api } = useAuth();
  const [text, setText] = useState("");
  const [asked, setAsked] = useState<Asked | null>(null);
  // Where "Back to the search" returns from "more like this".
  const [lastSearch, setLastSearch] = useState<Extract<Asked, { kind: "search" }> | null>(null);
  const [shown, setShown] = useState<Shown>({ state: "idle" });
  const [more, setMore] = useState<{ loading: boolean; error: unknown }>({ loading: false, error: null });
  const suggestions = useSuggestions(text);
  // Only the latest question's answer is shown, however the answers arrive.
  const round = useRef(0);
  const [address, setAddress] = useSearchParams();
  // Opened with a search in its address (back from a result): asked again once, on arrival.
  useEffect(() => {
    const again = searchFrom(address);
    if (!again) return;
    setText(again.request.query);
    void run(again);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function run(next: Asked) {
    const mine = ++round.current;
    setAsked(next);
    if (next.kind === "search") {
      setLastSearch(next);
      // The address holds the search, so "back" from a result's session returns to it.
      setAddress(addressOf(next), { replace: true });
    }
    setShown({ state: "loading" });
    setMore({ loading: false, error: null });
    try {
      const answer =
        next.kind === "search" ? await search(api, next.request) : await similar(api, next.of.passage_id, PAGE);
      if (mine === round.current) setShown({ state: "ready", answer, results: answer.results });
    } catch (error) {
      if (mine === round.current) setShown({ state: "error", error });
    }
  }

  async function loadMore() {
    if (shown.state !== "ready" || asked?.kind !== "search" || !shown.answer.next_cursor) return;
    const mine = round.current;
    setMore({ loading: true, error: null });
    try {
      const answer = await search(api, { ...asked.request, cursor: shown.answer.next_cursor });
      if (mine !== round.current) return;
      setShown({ state: "ready", answer, results: [...shown.results, ...answer.results] });
      setMore({ loading: false, error: null });
    } catch (error) {
      if (mine === round.current) setMore({ loading: false, error });
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const query = text.trim();
    // A new question starts afresh: the server understands its filters again.
    if (query) void run({ kind: "search", request: { query, limit: PAGE }, words: {} });
  }

  function removeChip(chip: Chip) {
    if (shown.state !== "ready" || asked?.kind !== "search") return;
    const chips = chipsFor(shown.answer.filters, asked.request.filters, asked.words);
    const next = searchWithout(asked.request.query, chips, chip);
    // The box shows the question as it is now asked: without the removed filter's words.
    setText(next.query);
    void run({
      kind: "search",
      request: {
        query: next.query,
        ...(Object.keys(next.filters).length ? { filters: next.filters } : {}),
        limit: PAGE,
      },
      words: wordsOf(chips, asked.words),
    });
  }

  return (
    <Stack>
      <Title order={1}>Search</Title>
      <form onSubmit={submit} role="search" aria-label="Sessions">
        <Group align="end" wrap="nowrap">
          <Autocomplete
            label="Search every session"
            description="Ask in your own words, e.g. “who struggled with delegation last month”"
            value={text}
            onChange={setText}
            data={suggestions}
            // The server already chose and ordered the suggestions.
            filter={({ options }) => options}
            style={{ flex: 1 }}
          />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      {shown.state === "loading" && <Loading what="results" />}
      {shown.state === "error" && <ErrorNotice error={shown.error} title="The search did not work" />}
      {shown.state === "ready" && asked && (
        <Answer
          asked={asked}
          answer={shown.answer}
          results={shown.results}
          onRemove={removeChip}
          onSimilar={(result) => void run({ kind: "similar", of: result })}
          onBack={() => lastSearch && void run(lastSearch)}
        />
      )}
      {shown.state === "ready" && asked?.kind === "search" && shown.answer.next_cursor && (
        <Group>
          <Button variant="default" onClick={() => void loadMore()} loading={more.loading}>
            Load more results
          </Button>
        </Group>
      )}
      {more.error !== null && <ErrorNotice error={more.error} title="More results did not load" />}
    </Stack>
  );
}

/** A search as the page's address: `?q=` the question, `&with=` its explicit filters and chips' words. */
export function addressOf(asked: Extract<Asked, { kind: "search" }>): URLSearchParams {
  const address = new URLSearchParams({ q: asked.request.query });
  if (asked.request.filters || Object.keys(asked.words).length > 0) {
    address.set("with", JSON.stringify({ filters: asked.request.filters ?? {}, words: asked.words }));
  }
  return address;
}

function searchFrom(address: URLSearchParams): Extract<Asked, { kind: "search" }> | null {
  const query = address.get("q")?.trim();
  if (!query) return null;
  let carried: { filters?: SearchRequest["filters"]; words?: ChipWords } = {};
  try {
    carried = JSON.parse(address.get("with") ?? "{}") as typeof carried;
  } catch {
    // A hand-edited address: the question alone.
  }
  const filters = carried.filters && Object.keys(carried.filters).length > 0 ? carried.filters : undefined;
  return {
    kind: "search",
    request: { query, ...(filters ? { filters } : {}), limit: PAGE },
    words: carried.words ?? {},
  };
}

/** Suggestions for what is being typed (names, tags, recent questions), each completing the question. */
function useSuggestions(text: string) {
  const { api } = useAuth();
  const [debounced] = useDebouncedValue(text, SUGGEST_DELAY_MS);
  const [items, setItems] = useState<{ group: string; items: string[] }[]>([]);
  useEffect(() => {
    const q = debounced.trim();
    if (q.length < 2) {
      setItems([]);
      return;
    }
    let current = true;
    suggest(api, q).then(
      (found) => current && setItems(grouped(q, found)),
      // Suggestions are a help, never in the way: without them the box still searches.
      () => current && setItems([]),
    );
    return () => {
      current = false;
    };
  }, [api, debounced]);
  return items;
}

const GROUP: Record<string, string> = {
  client: "Clients",
  coach: "Coaches",
  tag: "Tags",
  query: "Recent searches",
};

export function completion(typed: string, suggestion: Suggestion): string {
  if (suggestion.kind === "query") return suggestion.value;
  // A name or tag completes the word being typed.
  const words = typed.split(/\s+/);
  words[words.length - 1] = suggestion.label;
  return words.join(" ");
}

function grouped(typed: string, found: Suggestion[]) {
  const groups = new Map<string, Set<string>>();
  for (const suggestion of found) {
    const group = GROUP[suggestion.kind] ?? "Suggestions";
    groups.set(group, (groups.get(group) ?? new Set()).add(completion(typed, suggestion)));
  }
  // An option appears once, in its first group (the list's values must be unique).
  const seen = new Set<string>();
  return [...groups].map(([group, values]) => ({
    group,
    items: [...values].filter((value) => !seen.has(value) && seen.add(value)),
  }));
}

function Answer(props: {
  asked: Asked;
  answer: SearchAnswer;
  results: SearchResult[];
  onRemove: (chip: Chip) => void;
  onSimilar: (result: SearchResult) => void;
  onBack: () => void;
}) {
  const { asked, answer, results } = props;
  const chips = asked.kind === "search" ? chipsFor(answer.filters, asked.request.filters, asked.words) : [];
  return (
    <Stack>
      {asked.kind === "similar" && (
        <Group>
          <Text>
            More like “{asked.of.snippet.slice(0, 80)}
            {asked.of.snippet.length > 80 ? "…" : ""}” ({whoSaid(asked.of)}, {formatDate(asked.of.session_date)})
          </Text>
          <Button variant="default" size="xs" onClick={props.onBack}>
            Back to the search
          </Button>
        </Group>
      )}
      {chips.length > 0 && (
        <Group gap="xs" role="group" aria-label="Filters applied">
          <Text size="sm">Filters:</Text>
          {chips.map((chip) => (
            <Pill
              key={chipKey(chip)}
              size="md"
              withRemoveButton
              onRemove={() => props.onRemove(chip)}
              // Mantine hides the remove button from the keyboard and screen readers: both need it here.
              removeButtonProps={{ "aria-label": `Remove filter ${chip.label}`, "aria-hidden": false, tabIndex: 0 }}
            >
              {chip.label}
              {chip.words ? ` (“${chip.words}”)` : ""}
            </Pill>
          ))}
        </Group>
      )}
      <DegradedNotice degraded={answer.degraded} />
      {results.length === 0 ? (
        <Empty>
          {asked.kind === "search"
            ? `Nothing matches “${asked.request.query}”${chips.length ? " with these filters" : ""}.`
            : "Nothing else is like this passage."}
        </Empty>
      ) : (
        <ol aria-label="Search results" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {results.map((result) => (
            <li key={result.passage_id} style={{ marginBottom: "var(--mantine-spacing-sm)" }}>
              <ResultCard result={result} onSimilar={() => props.onSimilar(result)} />
            </li>
          ))}
        </ol>
      )}
    </Stack>
  );
}

/** A backend that did not answer: the results come from the other one, and the coach is told. */
function DegradedNotice({ degraded }: { degraded: string[] }) {
  if (degraded.length === 0) return null;
  const keywordsOnly = degraded.includes("semantic") || !degraded.includes("keyword");
  return (
    <Alert
      color="yellow"
      role="status"
      title={keywordsOnly ? "Answering from keywords only" : "Answering by meaning only"}
    >
      {keywordsOnly
        ? "The search by meaning is not available right now, so these results match your words only."
        : "The keyword search is not available right now, so these results match by meaning only."}
    </Alert>
  );
}

const MATCHED: Record<string, string> = {
  semantic: "Matched by meaning",
  keyword: "Matched by words",
  both: "Matched by meaning and words",
};

/** Whose words a result holds: the client, else the speaker (the coach), else what it is. */
export const whoSaid = (result: SearchResult) =>
  result.client ?? result.speaker ?? (result.kind === "overview" ? "Session overview" : "Unknown speaker");

/** Where a result opens: its session, at its turn(s) when it has one. */
export function momentPath(result: SearchResult): string {
  if (result.turn_index === null) return `/sessions/${result.session_id}`;
  const to = result.turn_end !== null && result.turn_end > result.turn_index ? `&to=${result.turn_end}` : "";
  return `/sessions/${result.session_id}?turn=${result.turn_index}${to}`;
}

function ResultCard({ result, onSimilar }: { result: SearchResult; onSimilar: () => void }) {
  return (
    <Paper withBorder p="sm" component="article" aria-label={`${whoSaid(result)}, ${formatDate(result.session_date)}`}>
      <Group gap="xs" mb={4}>
        <Text fw={600}>{whoSaid(result)}</Text>
        <Text size="sm">{formatDate(result.session_date)}</Text>
        {result.start !== null && <Text size="sm">at {formatSeconds(result.start)}</Text>}
        <Badge variant="light">{kindLabel(result.kind)}</Badge>
        <Badge variant="light" color="gray">
          {MATCHED[result.matched_by] ?? result.matched_by}
        </Badge>
      </Group>
      <Text size="sm">
        {snippetParts(result.snippet, result.highlights).map((part, i) =>
          part.highlighted ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
        )}
      </Text>
      <Group gap="md" mt={4}>
        <Anchor component={Link} to={momentPath(result)} size="sm">
          {result.turn_index === null ? "Open the session" : `Open the session at turn ${result.turn_index}`}
        </Anchor>
        <Button variant="subtle" size="compact-sm" onClick={onSimilar}>
          More like this
        </Button>
        {result.source && (
          <Text size="xs" c="dimmed">
            {result.source}
          </Text>
        )}
      </Group>
    </Paper>
  );
}
