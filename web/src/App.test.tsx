import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { App } from "./App";
import { AuthProvider } from "./auth/AuthContext";
import { fakeFetch, json, signInAs } from "./test/render";

function renderApp(path: string) {
  render(
    <MantineProvider>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider config={{ apiBaseUrl: "http://api.test", webSocketUrl: "ws://api.test/ws", signIn: "local" }}>
          <App />
        </AuthProvider>
      </MemoryRouter>
    </MantineProvider>,
  );
}

afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe("the app", () => {
  it("asks a visitor to sign in, whatever page they asked for", () => {
    renderApp("/sessions/ses-1");
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
  });

  it("opens support's failed runs as their home page, with no socket", async () => {
    signInAs("support", null);
    const socket = vi.fn();
    vi.stubGlobal("WebSocket", socket);
    fakeFetch({ "GET /v1/executions": () => json(200, { items: [] }) });
    renderApp("/");
    expect(await screen.findByRole("heading", { level: 1, name: "Failed runs" })).toBeInTheDocument();
    expect(await screen.findByText("No failed runs. Nothing to do.")).toBeInTheDocument();
    expect(socket).not.toHaveBeenCalled();
  });
});
