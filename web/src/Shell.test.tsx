import { MantineProvider } from "@mantine/core";
import { render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { AuthProvider } from "./auth/AuthContext";
import { LiveProvider } from "./live/LiveContext";
import { Shell } from "./Shell";
import { closedSocket, signInAs } from "./test/render";

function renderShellAs(role: string) {
  signInAs(role, role === "support" ? null : "coach-1");
  render(
    <MantineProvider>
      <MemoryRouter>
        <AuthProvider config={{ apiBaseUrl: "", webSocketUrl: "ws://api.test/ws", signIn: "local" }}>
          <LiveProvider openSocket={closedSocket}>
            <Routes>
              <Route element={<Shell />}>
                <Route path="/" element={<h1>Home</h1>} />
              </Route>
            </Routes>
          </LiveProvider>
        </AuthProvider>
      </MemoryRouter>
    </MantineProvider>,
  );
  return within(screen.getByRole("navigation", { name: "Main" }))
    .getAllByRole("link")
    .map((link) => link.textContent);
}

afterEach(() => sessionStorage.clear());

describe("role-aware navigation", () => {
  it("offers a coach their work and nothing of support or admin", () => {
    expect(renderShellAs("coach")).toEqual(["Dashboard", "Upload", "Follow-ups", "Templates", "Your profile"]);
  });
  it("offers support only the failed runs (and their own profile: their password)", () => {
    expect(renderShellAs("support")).toEqual(["Your profile", "Support"]);
  });
  it("offers an admin the organization too", () => {
    expect(renderShellAs("admin")).toEqual([
      "Dashboard",
      "Upload",
      "Follow-ups",
      "Templates",
      "Your profile",
      "Support",
      "Organization",
    ]);
  });
});
