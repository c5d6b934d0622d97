import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { closedSocket, fakeFetch, json, renderPage, signInAs } from "../test/render";
import { SearchPage, whoSaid } from "./SearchPage";
import type { AppliedFilters, SearchAnswer, SearchResult } from "./types";

function result(overrides: Partial<SearchResult> = {}): SearchResult {
  return {
    passage_id: "pas-1",
    session_id: "ses-1",
    session_date: "2026-10-14",
    source: "marcus-october.vtt",
    client_id: "cli-1",
    client: "Marcus Lee",
    coach_id: "coach-1",
    speaker: "Marcus Lee",
    kind: "passage",
    turn_index: 12,
    turn_end: 13,
    item_index: null,
    start: 754,
    score: 0.03,
    matched_by: "both",
    // Markup in what was said stays text: only the highlights become <mark>.
    snippet: "I still <b>avoid</b> delegation to my team",
    highlights: [[21, 31]],
    links: { session: "/v1/sessions/ses-1", turn: "/v1/sessions/ses-1?turns=true#turn-12", summary_item: null },
    ...overrides,
  };
}

const understood: AppliedFilters = {
  client_ids: ["cli-1"],
  client_names: ["Marcus Lee"],
  coach_ids: [],
  coach_names: [],
  kinds: [],
  session_types: [],
  date_from: "2026-10-01",
  date_to: "2026-10-31",
  understood: [
    { field: "client_ids", value: "cli-1", label: "Marcus Lee", words: "Marcus" },
    { field: "dates", value: "2026-10-01..2026-10-31", label: "last month", words: "last month" },
  ],
};

const noFilters: AppliedFilters = {
  client_ids: [],
  client_names: [],
  coach_ids: [],
  coach_names: [],
  kinds: [],
  session_types: [],
  date_from: null,
  date_to: null,
  understood: [],
};

function answer(overrides: Partial<SearchAnswer> = {}): SearchAnswer {
  return {
    query: "Marcus delegation last month",
    results: [result()],
    filters: understood,
    degraded: [],
    next_cursor: null,
    ...overrides,
  };
}

const QUESTION = "Marcus delegation last month";

async function ask(question = QUESTION) {
  const user = userEvent.setup();
  renderPage("/search", "/search", <SearchPage />);
  expect(await screen.findByRole("heading", { level: 1, name: "Search" })).toBeInTheDocument();
  // Pasted, not typed key by key: typing is the suggestions test's concern.
  await user.click(screen.getByRole("textbox", { name: /Search every session/ }));
  await user.paste(question);
  await user.click(screen.getByRole("button", { name: "Search" }));
  return user;
}

beforeEach(() => signInAs("coach"));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

const suggestNothing = () => json(200, { suggestions: [] });

describe("search", () => {
  it("shows the understood filters as chips and each result: who, when, kind, why, the highlighted words", async () => {
    const calls = fakeFetch({ "POST /v1/search": () => json(200, answer()), "GET /v1/search/suggest": suggestNothing });
    await ask();
    const filters = await screen.findByRole("group", { name: "Filters applied" });
    expect(within(filters).getByText(/Client: Marcus Lee/)).toHaveTextContent("Client: Marcus Lee (“Marcus”)");
    expect(within(filters).getByRole("button", { name: "Remove filter Client: Marcus Lee" })).toBeInTheDocument();
    expect(within(filters).getByRole("button", { name: /^Remove filter Dates: / })).toBeInTheDocument();

    const found = within(screen.getByRole("list", { name: "Search results" })).getByRole("article");
    expect(found).toHaveTextContent("Marcus Lee");
    expect(found).toHaveTextContent("at 12 min 34 s");
    expect(found).toHaveTextContent("transcript passages");
    expect(found).toHaveTextContent("Matched by meaning and words");
    expect(found).toHaveTextContent("I still <b>avoid</b> delegation to my team");
    expect(found.querySelector("b")).toBeNull();
    expect([...found.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["delegation"]);
    expect(within(found).getByRole("link", { name: "Open the session at turn 12" })).toHaveAttribute(
      "href",
      "/sessions/ses-1?turn=12&to=13",
    );
    expect(calls.find((c) => c.path === "/v1/search")?.body).toEqual({ query: QUESTION, limit: 20 });
    expect(await seriousViolations()).toEqual([]);
    // The file's first render and axe over a full page: seconds on a loaded 2-core machine.
  }, 20_000);

  it("removing a chip searches again without its words, the other chips sent explicitly", async () => {
    const bodies: unknown[] = [];
    fakeFetch({
      "POST /v1/search": async (request) => {
        bodies.push(await request.json());
        return json(
          200,
          bodies.length === 1 ? answer() : answer({ filters: { ...understood, client_ids: [], client_names: [] } }),
        );
      },
      "GET /v1/search/suggest": suggestNothing,
    });
    const user = await ask();
    await user.click(await screen.findByRole("button", { name: "Remove filter Client: Marcus Lee" }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toEqual({
      query: "delegation last month",
      filters: { date_from: "2026-10-01", date_to: "2026-10-31" },
      limit: 20,
    });
    await waitFor(() =>
      expect(screen.queryByRole("button", { name: "Remove filter Client: Marcus Lee" })).not.toBeInTheDocument(),
    );
    expect(screen.getByRole("button", { name: /^Remove filter Dates: / })).toBeInTheDocument();
    // The box shows the question as now asked.
    expect(screen.getByRole("textbox", { name: /Search every session/ })).toHaveValue("delegation last month");
  });

  it("says when it answers from keywords only, and loads more from the cursor", async () => {
    const bodies: Record<string, unknown>[] = [];
    fakeFetch({
      "POST /v1/search": async (request) => {
        const body = (await request.json()) as Record<string, unknown>;
        bodies.push(body);
        return json(
          200,
          body["cursor"]
            ? answer({ results: [result({ passage_id: "pas-2", client: "Ana Ruiz" })], degraded: ["semantic"] })
            : answer({ degraded: ["semantic"], next_cursor: "c-2" }),
        );
      },
      "GET /v1/search/suggest": suggestNothing,
    });
    const user = await ask();
    expect(await screen.findByText("Answering from keywords only")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more results" }));
    const list = screen.getByRole("list", { name: "Search results" });
    await waitFor(() => expect(within(list).getAllByRole("article")).toHaveLength(2));
    expect(bodies[1]).toEqual({ query: QUESTION, limit: 20, cursor: "c-2" });
    expect(screen.queryByRole("button", { name: "Load more results" })).not.toBeInTheDocument();
  });

  it("shows more like a result, and goes back to the search", async () => {
    const similar: unknown[] = [];
    fakeFetch({
      "POST /v1/search": () => json(200, answer()),
      "POST /v1/search/similar": async (request) => {
        similar.push(await request.json());
        return json(
          200,
          answer({ query: "", filters: noFilters, results: [result({ passage_id: "pas-7", client: "Ana Ruiz" })] }),
        );
      },
      "GET /v1/search/suggest": suggestNothing,
    });
    const user = await ask();
    await user.click(await screen.findByRole("button", { name: "More like this" }));
    expect(await screen.findByText(/^More like “I still <b>avoid<\/b> delegation/)).toHaveTextContent("(Marcus Lee,");
    expect(similar).toEqual([{ passage_id: "pas-1", limit: 20 }]);
    expect(within(screen.getByRole("list", { name: "Search results" })).getByRole("article")).toHaveTextContent(
      "Ana Ruiz",
    );
    expect(screen.queryByRole("group", { name: "Filters applied" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Back to the search" }));
    expect(await screen.findByRole("group", { name: "Filters applied" })).toBeInTheDocument();
  });

  it("says when nothing matches, and gives the API's sentence when the search fails", async () => {
    let fail = false;
    fakeFetch({
      "POST /v1/search": () =>
        fail
          ? json(503, { error: { code: "COACH_503", message: "Search is not available right now.", details: {} } })
          : json(200, answer({ results: [], filters: noFilters })),
      "GET /v1/search/suggest": suggestNothing,
    });
    const user = await ask("budget worries");
    expect(await screen.findByText("Nothing matches “budget worries”.")).toBeInTheDocument();
    fail = true;
    await user.click(screen.getByRole("button", { name: "Search" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Search is not available right now.");
  });

  it("suggests names and recent questions once typing pauses, each completing the question", async () => {
    const asked: string[] = [];
    fakeFetch({
      "GET /v1/search/suggest": (request) => {
        asked.push(new URL(request.url).searchParams.get("q") ?? "");
        return json(200, {
          suggestions: [
            { kind: "client", value: "cli-1", label: "Marcus Lee" },
            { kind: "query", value: "Marcus and his team", label: "Marcus and his team" },
          ],
        });
      },
    });
    const user = userEvent.setup();
    renderPage("/search", "/search", <SearchPage />, closedSocket, "test");
    await user.type(screen.getByRole("textbox", { name: /Search every session/ }), "delegation Marc");
    await waitFor(() => expect(asked).toHaveLength(1));
    expect(await screen.findByRole("option", { name: "delegation Marcus Lee" })).toBeInTheDocument();
    expect(screen.getByRole("option", { name: "Marcus and his team" })).toBeInTheDocument();
    // Asked once, for what was typed when the typing paused: not once a key.
    expect(asked).toEqual(["delegation Marc"]);
  });

  it("asks again the search its address holds (back from a result's session)", async () => {
    const bodies: unknown[] = [];
    fakeFetch({
      "POST /v1/search": async (request) => {
        bodies.push(await request.json());
        return json(200, answer({ filters: { ...understood, client_ids: null, client_names: [], understood: [] } }));
      },
      "GET /v1/search/suggest": suggestNothing,
    });
    const carried = {
      filters: { date_from: "2026-10-01", date_to: "2026-10-31" },
      words: { "dates:2026-10-01..2026-10-31": "last month" },
    };
    const address = new URLSearchParams({ q: "delegation last month", with: JSON.stringify(carried) });
    renderPage(`/search?${address}`, "/search", <SearchPage />);
    expect(await screen.findByRole("button", { name: /^Remove filter Dates: / })).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: /Search every session/ })).toHaveValue("delegation last month");
    expect(bodies).toEqual([{ query: "delegation last month", filters: carried.filters, limit: 20 }]);
  });

  it("names whose words a result holds: the client, else the speaker, else what it is", () => {
    expect(whoSaid(result())).toBe("Marcus Lee");
    expect(whoSaid(result({ client: null, speaker: "Dana" }))).toBe("Dana");
    expect(whoSaid(result({ client: null, speaker: null, kind: "overview" }))).toBe("Session overview");
  });
});
