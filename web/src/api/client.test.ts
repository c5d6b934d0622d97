import { createApi, unwrap } from "./client";
import { ApiError } from "./errors";

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("API client", () => {
  it("sends the bearer token, and after a 401 refreshes once and repeats the request with its body", async () => {
    let token = "old";
    const seen: { auth: string | null; body: string }[] = [];
    const fetcher = vi.fn(async (request: Request) => {
      seen.push({ auth: request.headers.get("Authorization"), body: await request.text() });
      return seen.length === 1
        ? answer(401, { error: { code: "COACH_401", message: "expired", details: {} } })
        : answer(200, { id: "fu-1" });
    });
    const refresh = vi.fn(async () => (token = "new"));
    const api = createApi("http://api.test", { accessToken: () => token, refresh }, fetcher as unknown as typeof fetch);
    const { data, response } = await api.PUT("/v1/follow-ups/{follow_up_id}", {
      params: { path: { follow_up_id: "fu-1" } },
      body: { subject: "S", body: "B" },
    });
    expect(response.status).toBe(200);
    expect(data).toEqual({ id: "fu-1" });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([
      { auth: "Bearer old", body: '{"subject":"S","body":"B"}' },
      { auth: "Bearer new", body: '{"subject":"S","body":"B"}' },
    ]);
  });

  it("does not refresh for sign-in calls, and unwraps the API's error sentence", async () => {
    const refresh = vi.fn(async () => "new");
    const fetcher = vi.fn(async () =>
      answer(401, { error: { code: "COACH_401", message: "The email or password is not right.", details: {} } }),
    );
    const api = createApi("http://api.test", { accessToken: () => null, refresh }, fetcher as unknown as typeof fetch);
    const result = await api.POST("/v1/auth/login", { body: { email: "a@b.c", password: "x" } });
    expect(refresh).not.toHaveBeenCalled();
    expect(() => unwrap(result)).toThrow(new ApiError(401, "COACH_401", "The email or password is not right."));
  });

  it("gives up when the refresh fails: the 401 stands", async () => {
    const fetcher = vi.fn(async () =>
      answer(401, { error: { code: "COACH_401", message: "Sign in again.", details: {} } }),
    );
    const api = createApi(
      "http://api.test",
      { accessToken: () => "old", refresh: async () => null },
      fetcher as unknown as typeof fetch,
    );
    const result = await api.GET("/v1/sessions");
    expect(result.response.status).toBe(401);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });
});
