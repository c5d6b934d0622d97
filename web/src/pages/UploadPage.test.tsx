import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { fakeFetch, json, renderPage, signInAs } from "../test/render";
import { UploadPage } from "./UploadPage";

/** XHR as the page uses it: records the request, reports progress, answers as told. */
class FakeXhr {
  static answers: { status: number; body: unknown }[] = [];
  static sent: { url: string; form: FormData; headers: Record<string, string> }[] = [];
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  status = 0;
  responseText = "";
  private url = "";
  private headers: Record<string, string> = {};
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(form: FormData) {
    FakeXhr.sent.push({ url: this.url, form, headers: this.headers });
    const answer = FakeXhr.answers.shift()!;
    queueMicrotask(() => {
      this.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 });
      this.status = answer.status;
      this.responseText = JSON.stringify(answer.body);
      this.onload?.();
    });
  }
}

beforeEach(() => {
  signInAs("coach");
  // A coach may file sessions under themselves only: no coach to choose.
  fakeFetch({ "GET /v1/coaches": () => json(200, { items: [{ id: "coach-1", name: "Maya Chen" }] }) });
  FakeXhr.sent = [];
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
});
afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("upload", () => {
  it("uploads each chosen file with its type and date, and shows the platform's sentence for a bad one", async () => {
    FakeXhr.answers = [
      {
        status: 202,
        body: {
          session_id: "ses-9",
          status: "received",
          execution_name: null,
          links: { session: "/v1/sessions/ses-9", status: "/v1/sessions/ses-9/status" },
        },
      },
      {
        status: 422,
        body: {
          error: {
            code: "COACH_422",
            message: "notes.pdf is not a transcript this platform reads: use VTT, SRT, text, Word or JSON.",
            details: {},
          },
        },
      },
    ];
    renderPage("/upload", "/upload", <UploadPage />);
    const user = userEvent.setup();
    expect(screen.getByRole("heading", { level: 1, name: "Upload a transcript" })).toBeInTheDocument();
    const good = new File(["WEBVTT\n\n00:00.000 --> 00:01.000\nCoach: Hi"], "session.vtt", { type: "text/vtt" });
    const bad = new File(["%PDF"], "notes.pdf", { type: "application/pdf" });
    await user.upload(screen.getByLabelText("Transcript files"), [good, bad]);
    expect(screen.getByRole("list", { name: "Chosen files" })).toHaveTextContent("session.vtt");
    await user.type(screen.getByLabelText("Session date"), "2026-11-27");
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("notes.pdf is not a transcript this platform reads");
    expect(await screen.findByRole("link", { name: "Open the session" })).toHaveAttribute("href", "/sessions/ses-9");
    expect(FakeXhr.sent).toHaveLength(2);
    expect(await seriousViolations()).toEqual([]);
    expect(FakeXhr.sent[0]!.url).toBe("http://api.test/v1/sessions");
    expect(FakeXhr.sent[0]!.headers["Authorization"]).toMatch(/^Bearer /);
    expect(FakeXhr.sent[0]!.form.get("session_date")).toBe("2026-11-27");
    expect((FakeXhr.sent[0]!.form.get("transcript") as File).name).toBe("session.vtt");
  });

  it("offers an admin the organization's coaches and sends the one chosen", async () => {
    signInAs("admin", null);
    fakeFetch({
      "GET /v1/coaches": () =>
        json(200, {
          items: [
            { id: "coach-1", name: "Maya Chen" },
            { id: "coach-2", name: "Sam Lee" },
          ],
        }),
    });
    FakeXhr.answers = [
      {
        status: 202,
        body: {
          session_id: "ses-10",
          status: "received",
          execution_name: null,
          links: { session: "/v1/sessions/ses-10", status: "/v1/sessions/ses-10/status" },
        },
      },
    ];
    renderPage("/upload", "/upload", <UploadPage />);
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByRole("combobox", { name: "Coach" }), "Sam Lee");
    await user.upload(screen.getByLabelText("Transcript files"), [new File(["WEBVTT\n"], "s.vtt")]);
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(await screen.findByRole("link", { name: "Open the session" })).toBeInTheDocument();
    expect(FakeXhr.sent[0]!.form.get("coach_id")).toBe("coach-2");
    expect(await seriousViolations()).toEqual([]);
  });

  it("says so when the coaches did not load", async () => {
    signInAs("admin", null);
    fakeFetch({
      "GET /v1/coaches": () =>
        json(503, { error: { code: "COACH_503", message: "The platform is busy: try again shortly.", details: {} } }),
    });
    renderPage("/upload", "/upload", <UploadPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The platform is busy: try again shortly.");
    expect(screen.queryByRole("combobox", { name: "Coach" })).not.toBeInTheDocument();
  });
});
