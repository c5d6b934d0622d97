import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { closedSocket, fakeFetch, json, renderPage, signInAs } from "../test/render";
import { ExportsPage } from "./ExportsPage";
import type { Wait } from "./poll";
import type { ExportFile, ExportJob, Schedule } from "./types";

const noWait: Wait = async () => {};

const FILES: ExportFile[] = [
  {
    entity: "sessions",
    path: "run-1/sessions.csv",
    rows: 3,
    sha256: "a".repeat(64),
    bytes: 90_112,
    url: "/v1/export/files/run-1/sessions.csv?sig=x",
  },
  {
    entity: "clients",
    path: "run-1/clients.csv",
    rows: 1,
    sha256: "b".repeat(64),
    bytes: null, // a run from before sizes were counted
    url: "https://bucket.example/clients.csv?X-Amz=1",
  },
];

function job(overrides: Partial<ExportJob> = {}): ExportJob {
  return {
    id: "run-1",
    status: "queued",
    format: "csv",
    schedule_id: null,
    include_sensitive: false,
    since: null,
    created_at: "2026-11-30T09:00:00Z",
    started_at: null,
    finished_at: null,
    row_counts: {},
    files: [],
    manifest: null,
    error: null,
    links: { self: "/v1/export/jobs/run-1" },
    ...overrides,
  };
}

const weekly: Schedule = {
  id: "sch-1",
  cron: "0 6 * * 1",
  timezone: "Europe/London",
  format: "csv",
  mapping: null,
  destination: "download",
  include_sensitive: false,
  enabled: true,
  description: "At 06:00 on Monday",
  next_run_at: "2026-12-07T06:00:00Z",
  created_at: "2026-11-30T09:00:00Z",
  links: { self: "/v1/export/schedules/sch-1", jobs: "/v1/export/jobs" },
};

/** The page's routes with nothing in them yet; `extra` overrides. */
// The caller's organization: its tokens are files of their own locally.
const ORG = "0b5c7d6e-1f2a-4b3c-8d9e-0f1a2b3c4d5e";

function routes(extra: Parameters<typeof fakeFetch>[0] = {}) {
  return fakeFetch({
    "GET /v1/export/jobs": () => json(200, { items: [] }),
    "GET /v1/export/schedules": () => json(200, { items: [] }),
    "GET /v1/export/mappings": () => json(200, { items: [], ready_made: ["hubspot", "salesforce"] }),
    "GET /v1/export/crm-connections": () =>
      json(200, {
        items: [
          { kind: "hubspot", connected: false, connected_at: null, reason: "not_connected" },
          { kind: "salesforce", connected: false, connected_at: null, reason: "not_connected" },
        ],
        organization_id: ORG,
      }),
    ...extra,
  });
}

async function open() {
  const user = userEvent.setup();
  renderPage("/exports", "/exports", <ExportsPage wait={noWait} />, closedSocket, "test");
  expect(await screen.findByRole("heading", { level: 1, name: "Exports" })).toBeInTheDocument();
  return user;
}

const runForm = () => screen.getByRole("form", { name: "Run an export now" });

beforeEach(() => signInAs("coach"));
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("running an export now", () => {
  it("starts a CSV export, follows it until it is ready, then offers each file with its rows", async () => {
    const statuses = ["running", "running", "succeeded"];
    const calls = routes({
      "POST /v1/export/csv": () => json(202, job()),
      "GET /v1/export/jobs/run-1": () => {
        const status = statuses.shift() ?? "succeeded";
        return json(200, job({ status: status as ExportJob["status"], files: status === "succeeded" ? FILES : [] }));
      },
    });
    const user = await open();
    await user.click(within(runForm()).getByRole("button", { name: "Run export" }));

    const files = await screen.findByRole("list", { name: "Files of this export" });
    const sessions = within(files).getByRole("link", { name: "Download sessions.csv" });
    // A local link is the API's own; a presigned one is used as it is.
    expect(sessions).toHaveAttribute("href", "http://api.test/v1/export/files/run-1/sessions.csv?sig=x");
    expect(within(files).getByRole("link", { name: "Download clients.csv" })).toHaveAttribute(
      "href",
      "https://bucket.example/clients.csv?X-Amz=1",
    );
    expect(files).toHaveTextContent("sessions: 3 rows · 88 KB)");
    expect(files).toHaveTextContent("clients: 1 row)");

    expect(calls.find((c) => c.path === "/v1/export/csv")?.body).toEqual({
      since: null,
      mapping: null,
      include_sensitive: false,
      bom: false,
    });
    // Asked until done, then no more; the recent runs are asked again.
    expect(calls.filter((c) => c.path === "/v1/export/jobs/run-1")).toHaveLength(3);
    await waitFor(() => expect(calls.filter((c) => c.path === "/v1/export/jobs")).toHaveLength(2));
    expect(await seriousViolations()).toEqual([]);
  }, 20_000);

  it("sends the chosen format, date, mapping and BOM to the format's route", async () => {
    const calls = routes({
      "POST /v1/export/csv": () => json(202, job()),
      "POST /v1/export/jsonl": () => json(202, job({ format: "jsonl" })),
      "GET /v1/export/jobs/run-1": () => json(200, job({ status: "succeeded", files: [] })),
    });
    const user = await open();
    const form = runForm();
    await user.type(within(form).getByLabelText(/Only what changed since/), "2026-10-01");
    await user.selectOptions(within(form).getByLabelText(/Field mapping/), "hubspot");
    await user.click(within(form).getByRole("checkbox", { name: /byte order mark/ }));
    await user.click(within(form).getByRole("button", { name: "Run export" }));
    expect(await screen.findByText("Nothing to export: no records match.")).toBeInTheDocument();
    expect(calls.find((c) => c.path === "/v1/export/csv")?.body).toEqual({
      since: "2026-10-01",
      mapping: "hubspot",
      include_sensitive: false,
      bom: true,
    });

    await user.selectOptions(within(form).getByLabelText("Format"), "jsonl");
    // The BOM is a spreadsheet's concern: not offered beyond CSV.
    expect(within(form).queryByRole("checkbox", { name: /byte order mark/ })).toBeNull();
    await user.click(within(form).getByRole("button", { name: "Run export" }));
    await waitFor(() => expect(calls.find((c) => c.path === "/v1/export/jsonl")).toBeDefined());
    expect(calls.find((c) => c.path === "/v1/export/jsonl")?.body).toEqual({
      since: "2026-10-01",
      mapping: "hubspot",
      include_sensitive: false,
      bom: false,
    });
  }, 20_000);

  it("leaves sensitive items out unless asked, and then says what that means and that it is audited", async () => {
    const calls = routes({
      "POST /v1/export/csv": () => json(202, job()),
      "GET /v1/export/jobs/run-1": () => json(200, job({ status: "succeeded", files: FILES })),
    });
    const user = await open();
    const sensitive = within(runForm()).getByRole("checkbox", { name: "Include sensitive items" });
    expect(sensitive).not.toBeChecked();
    expect(within(runForm()).queryByText(/recorded in the audit log/)).toBeNull();
    await user.click(sensitive);
    expect(within(runForm()).getByRole("note")).toHaveTextContent(/Health.*recorded in the audit log/);
    await user.click(within(runForm()).getByRole("button", { name: "Run export" }));
    await screen.findByRole("list", { name: "Files of this export" });
    expect(calls.find((c) => c.path === "/v1/export/csv")?.body).toMatchObject({ include_sensitive: true });
  }, 20_000);

  it("says what went wrong and what to do when the export fails", async () => {
    routes({
      "POST /v1/export/csv": () => json(202, job()),
      "GET /v1/export/jobs/run-1": () =>
        json(200, job({ status: "failed", error: "The database stopped answering during the export." })),
    });
    const user = await open();
    await user.click(within(runForm()).getByRole("button", { name: "Run export" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The export failed");
    expect(alert).toHaveTextContent("The database stopped answering during the export.");
    expect(alert).toHaveTextContent(/Try again in a few minutes/);
  }, 20_000);

  it("shows the API's sentence when the export cannot start (one running export at a time)", async () => {
    routes({
      "POST /v1/export/csv": () =>
        json(409, {
          error: { code: "CONFLICT", message: "An export of yours is already running: wait for it to end." },
        }),
    });
    const user = await open();
    await user.click(within(runForm()).getByRole("button", { name: "Run export" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The export did not start");
    expect(alert).toHaveTextContent("An export of yours is already running");
  }, 20_000);

  it("offers the organization's saved mappings beside HubSpot's and Salesforce's", async () => {
    const calls = routes({
      "GET /v1/export/mappings": () =>
        json(200, {
          items: [{ name: "board-report", entities: [], links: { self: "/v1/export/mappings/board-report" } }],
          ready_made: ["hubspot", "salesforce"],
        }),
      "POST /v1/export/parquet": () => json(202, job({ format: "parquet" })),
      "GET /v1/export/jobs/run-1": () => json(200, job({ status: "succeeded" })),
    });
    const user = await open();
    const mapping = within(runForm()).getByLabelText(/Field mapping/);
    await within(mapping).findByRole("option", { name: "board-report" });
    expect(
      within(mapping)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["None (the platform's own columns)", "HubSpot", "Salesforce", "board-report"]);
    await user.selectOptions(within(runForm()).getByLabelText("Format"), "parquet");
    await user.selectOptions(mapping, "board-report");
    await user.click(within(runForm()).getByRole("button", { name: "Run export" }));
    await screen.findByText("Nothing to export: no records match.");
    expect(calls.find((c) => c.path === "/v1/export/parquet")?.body).toMatchObject({ mapping: "board-report" });
  }, 20_000);
});

describe("recent runs", () => {
  it("lists status, when and rows, and fetches a finished run's fresh download links", async () => {
    const calls = routes({
      "GET /v1/export/jobs": () =>
        json(200, {
          items: [
            job({ status: "succeeded", row_counts: { sessions: 3, clients: 1 } }),
            job({ id: "run-0", status: "failed", error: "Disk full." }),
          ],
        }),
      "GET /v1/export/jobs/run-1": () => json(200, job({ status: "succeeded", files: FILES })),
    });
    const user = await open();
    const table = await screen.findByRole("table", { name: "Recent export runs" });
    const [, done, failed] = within(table).getAllByRole("row");
    expect(done).toHaveTextContent(/Ready.*4/);
    expect(failed).toHaveTextContent(/Failed.*Disk full\./);
    await user.click(within(done!).getByRole("button", { name: /^Get download links of the run of / }));
    expect(await within(done!).findByRole("link", { name: "Download sessions.csv" })).toBeInTheDocument();
    expect(calls.filter((c) => c.path === "/v1/export/jobs/run-1")).toHaveLength(1);
  }, 20_000);
});

describe("schedules", () => {
  it("creates a weekly schedule from the builder: the cron it writes, in the chosen time zone", async () => {
    let saved: Schedule[] = [];
    const calls = routes({
      "GET /v1/export/schedules": () => json(200, { items: saved }),
      "POST /v1/export/schedule": async (request) => {
        const body = (await request.json()) as Omit<Schedule, "id">;
        saved = [{ ...weekly, ...body, id: "sch-2" }];
        return json(201, saved[0]);
      },
    });
    const user = await open();
    const form = screen.getByRole("form", { name: "New schedule" });
    await user.selectOptions(within(form).getByLabelText("How often"), "weekly");
    await user.selectOptions(within(form).getByLabelText("On"), "3");
    await user.selectOptions(within(form).getByLabelText("At"), "7");
    expect(form).toHaveTextContent("Runs: Every Wednesday at 07:00");
    await user.selectOptions(within(form).getByLabelText("Send to"), "hubspot");
    await user.click(within(form).getByRole("button", { name: "Create schedule" }));

    const table = await screen.findByRole("table", { name: "Export schedules" });
    expect(within(table).getByText(/Every Wednesday at 07:00/)).toBeInTheDocument();
    const body = calls.find((c) => c.path === "/v1/export/schedule")?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      cron: "0 7 * * 3",
      format: "csv",
      mapping: null,
      destination: "hubspot",
      include_sensitive: false,
      bom: false,
    });
    expect(typeof body["timezone"]).toBe("string");
    expect(await seriousViolations()).toEqual([]);
  }, 20_000);

  it("takes an advanced cron, and the builder takes back one it can say", async () => {
    const calls = routes({ "POST /v1/export/schedule": () => json(201, { ...weekly, cron: "15 */4 * * 1-5" }) });
    const user = await open();
    const form = screen.getByRole("form", { name: "New schedule" });
    await user.click(within(form).getByRole("switch", { name: /Advanced/ }));
    const cron = within(form).getByRole("textbox", { name: "Cron expression" });
    expect(cron).toHaveValue("0 6 * * 1");
    await user.clear(cron);
    await user.type(cron, "0 9 1 * *");
    await user.click(within(form).getByRole("switch", { name: /Advanced/ }));
    expect(within(form).getByLabelText("How often")).toHaveValue("monthly");
    expect(within(form).getByLabelText("On day")).toHaveValue("1");

    await user.click(within(form).getByRole("switch", { name: /Advanced/ }));
    await user.clear(within(form).getByRole("textbox", { name: "Cron expression" }));
    await user.type(within(form).getByRole("textbox", { name: "Cron expression" }), "0 6 * *");
    await user.click(within(form).getByRole("button", { name: "Create schedule" }));
    expect(within(form).getByText("A cron has five fields, e.g. 0 6 * * 1")).toBeInTheDocument();
    expect(calls.find((c) => c.path === "/v1/export/schedule")).toBeUndefined();

    await user.clear(within(form).getByRole("textbox", { name: "Cron expression" }));
    await user.type(within(form).getByRole("textbox", { name: "Cron expression" }), "15 */4 * * 1-5");
    await user.click(within(form).getByRole("button", { name: "Create schedule" }));
    await waitFor(() =>
      expect(calls.find((c) => c.path === "/v1/export/schedule")?.body).toMatchObject({ cron: "15 */4 * * 1-5" }),
    );
  }, 20_000);

  it("shows the server's reason when it refuses a schedule", async () => {
    routes({
      "POST /v1/export/schedule": () =>
        json(422, { error: { code: "VALIDATION_ERROR", message: "A schedule runs at most once an hour." } }),
    });
    const user = await open();
    const form = screen.getByRole("form", { name: "New schedule" });
    await user.click(within(form).getByRole("button", { name: "Create schedule" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("A schedule runs at most once an hour.");
  }, 20_000);

  it("pauses a schedule and resumes it, saying so", async () => {
    let saved: Schedule[] = [weekly];
    const calls = routes({
      "GET /v1/export/schedules": () => json(200, { items: saved }),
      "PATCH /v1/export/schedules/sch-1": async (request) => {
        const { enabled } = (await request.json()) as { enabled: boolean };
        saved = [{ ...weekly, enabled, next_run_at: enabled ? weekly.next_run_at : null }];
        return json(200, saved[0]);
      },
    });
    const user = await open();
    const table = await screen.findByRole("table", { name: "Export schedules" });
    const when = "Every Monday at 06:00 (Europe/London)";

    await user.click(within(table).getByRole("button", { name: `Pause schedule ${when}` }));
    expect(await screen.findByRole("status")).toHaveTextContent(`Paused “${when}”.`);
    const resume = await within(table).findByRole("button", { name: `Resume schedule ${when}` });
    expect(within(table).getByText("None: paused")).toBeInTheDocument();

    await user.click(resume);
    expect(await screen.findByRole("status")).toHaveTextContent(`Resumed “${when}”: it runs at its next time.`);
    expect(await within(table).findByRole("button", { name: `Pause schedule ${when}` })).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { enabled: false },
      { enabled: true },
    ]);
  }, 20_000);

  it("deletes a schedule only after the confirmation", async () => {
    let saved: Schedule[] = [weekly];
    const calls = routes({
      "GET /v1/export/schedules": () => json(200, { items: saved }),
      "DELETE /v1/export/schedule/sch-1": () => {
        saved = [];
        return json(204, null);
      },
    });
    const user = await open();
    const table = await screen.findByRole("table", { name: "Export schedules" });
    const remove = within(table).getByRole("button", { name: "Delete schedule Every Monday at 06:00 (Europe/London)" });

    await user.click(remove);
    let dialog = await screen.findByRole("dialog", { name: "Delete this schedule?" });
    await user.click(within(dialog).getByRole("button", { name: "Keep it" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(calls.find((c) => c.method === "DELETE")).toBeUndefined();

    await user.click(remove);
    dialog = await screen.findByRole("dialog", { name: "Delete this schedule?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete schedule" }));
    expect(await screen.findByText("No schedules yet: create one below.")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  }, 20_000);
});

describe("CRM connections", () => {
  const crm = (name: string) =>
    within(screen.getByRole("list", { name: "CRMs" }))
      .getAllByRole("listitem")
      .find((item) => item.textContent?.startsWith(name))!;

  it("shows which CRM is connected, and the how-to only for the one that is not", async () => {
    routes({
      "GET /v1/export/crm-connections": () =>
        json(200, {
          items: [
            { kind: "hubspot", connected: true, connected_at: "2026-11-02T09:30:00Z", reason: null },
            { kind: "salesforce", connected: false, connected_at: null, reason: "not_connected" },
          ],
          organization_id: ORG,
        }),
    });
    await open();
    await waitFor(() => expect(crm("HubSpot")).toHaveTextContent(/^HubSpot Connected/));
    expect(crm("HubSpot")).toHaveTextContent(/Connected since .*2026/);
    expect(crm("HubSpot")).not.toHaveTextContent("hubspot.json");
    expect(crm("Salesforce")).toHaveTextContent(/^Salesforce Not connected/);
    expect(crm("Salesforce")).toHaveTextContent(`$COACH_HOME/secrets/crm/${ORG}/salesforce.json`);
    expect(await seriousViolations()).toEqual([]);
  }, 20_000);

  it("says when a stored token cannot be read, and still how to connect", async () => {
    routes({
      "GET /v1/export/crm-connections": () =>
        json(200, {
          items: [
            { kind: "hubspot", connected: false, connected_at: null, reason: "credentials_unreadable" },
            { kind: "salesforce", connected: false, connected_at: null, reason: "not_connected" },
          ],
          organization_id: ORG,
        }),
    });
    await open();
    await waitFor(() => expect(crm("HubSpot")).toHaveTextContent("Its stored token could not be read"));
    expect(crm("HubSpot")).toHaveTextContent(`secrets/crm/${ORG}/hubspot.json`);
  }, 20_000);
});
