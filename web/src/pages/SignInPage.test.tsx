import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { seriousViolations } from "../test/axe";
import { MantineProvider } from "@mantine/core";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { AuthProvider } from "../auth/AuthContext";
import { fakeFetch, json, renderPage, tokenFor } from "../test/render";
import { PASSWORD_CHANGED } from "./ChangePassword";
import { SignInPage } from "./SignInPage";

afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("sign in", () => {
  it("says why the person is here again when a page sent them (a changed password)", async () => {
    render(
      <MantineProvider>
        <MemoryRouter initialEntries={[{ pathname: "/sign-in", state: { notice: PASSWORD_CHANGED } }]}>
          <AuthProvider config={{ apiBaseUrl: "http://api.test", webSocketUrl: "ws://api.test/ws", signIn: "local" }}>
            <SignInPage />
          </AuthProvider>
        </MemoryRouter>
      </MantineProvider>,
    );
    expect(screen.getByRole("status")).toHaveTextContent("every sign-in with the old one has ended");
    expect(await seriousViolations()).toEqual([]);
  });

  it("shows no notice when it was opened directly", () => {
    renderPage("/sign-in", "/sign-in", <SignInPage />);
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("asks for the authenticator code after the password, then signs in", async () => {
    const calls = fakeFetch({
      "POST /v1/auth/login": () => json(200, { challenge: "MFA", session: "mfa-session" }),
      "POST /v1/auth/mfa": () =>
        json(200, { access_token: tokenFor("coach"), refresh_token: "r", expires_in: 900, token_type: "Bearer" }),
    });
    renderPage("/sign-in", "/sign-in", <SignInPage />);
    const user = userEvent.setup();
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(await seriousViolations()).toEqual([]);
    await user.type(screen.getByRole("textbox", { name: "Email" }), "coach@example.com");
    await user.type(screen.getByLabelText("Password"), "secret");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const code = await screen.findByRole("textbox", { name: "Authenticator code" });
    await user.type(code, "123456{Enter}");
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
    expect(calls.map((c) => c.path)).toEqual(["/v1/auth/login", "/v1/auth/mfa"]);
    expect(calls[1]!.body).toEqual({ session: "mfa-session", code: "123456" });
    expect(JSON.parse(sessionStorage.getItem("coaching.tokens")!)).toMatchObject({ refresh_token: "r" });
  });

  it("enrols an authenticator when the organization requires one", async () => {
    fakeFetch({
      "POST /v1/auth/login": () => json(200, { challenge: "MFA_SETUP", session: "s1" }),
      "POST /v1/auth/mfa/setup": () =>
        json(200, { secret: "JBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/x", session: "s2" }),
      "POST /v1/auth/mfa/setup/confirm": () =>
        json(200, { access_token: tokenFor("coach"), refresh_token: "r", expires_in: 900, token_type: "Bearer" }),
    });
    renderPage("/sign-in", "/sign-in", <SignInPage />);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Email" }), "coach@example.com");
    await user.type(screen.getByLabelText("Password"), "secret");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("JBSWY3DPEHPK3PXP")).toBeInTheDocument();
    await user.type(screen.getByRole("textbox", { name: "Authenticator code" }), "654321");
    await user.click(screen.getByRole("button", { name: "Confirm authenticator" }));
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
  });

  it("shows the platform's own sentence when the password is wrong", async () => {
    fakeFetch({
      "POST /v1/auth/login": () =>
        json(401, { error: { code: "COACH_401", message: "The email or password is not right.", details: {} } }),
    });
    renderPage("/sign-in", "/sign-in", <SignInPage />);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Email" }), "coach@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email or password is not right.");
    expect(sessionStorage.getItem("coaching.tokens")).toBeNull();
  });
});
