import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
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
                <Route path="*" element={<h1>Elsewhere</h1>} />
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

afterEach(() => {
  sessionStorage.clear();
  vi.restoreAllMocks();
});

describe("role-aware navigation", () => {
  it("offers a coach their work and nothing of support or admin", () => {
    expect(renderShellAs("coach")).toEqual([
      "Dashboard",
      "Upload",
      "Follow-ups",
      "Search",
      "Exports",
      "Templates",
      "Your profile",
    ]);
  });
  it("offers support only the failed runs (and their own profile: their password)", () => {
    expect(renderShellAs("support")).toEqual(["Your profile", "Support"]);
  });
  it("offers an admin the organization too", () => {
    expect(renderShellAs("admin")).toEqual([
      "Dashboard",
      "Upload",
      "Follow-ups",
      "Search",
      "Exports",
      "Templates",
      "Your profile",
      "Support",
      "Organization",
    ]);
  });
});

describe("small screens", () => {
  function narrow(matches: boolean) {
    const real = window.matchMedia;
    vi.spyOn(window, "matchMedia").mockImplementation((query: string) => ({ ...real(query), matches }));
  }

  it("folds the navigation behind a labelled menu button, out of the tab order until opened", async () => {
    narrow(true);
    renderShellAs("coach");
    const button = screen.getByRole("button", { name: "Menu" });
    const navigation = screen.getByRole("navigation", { name: "Main" });
    expect(button).toHaveAttribute("aria-expanded", "false");
    await waitFor(() => expect(navigation).toHaveAttribute("inert"));
    // When the menu is opened, its links can be reached; following one folds it again
    fireEvent.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    expect(navigation).not.toHaveAttribute("inert");
    fireEvent.click(within(navigation).getByRole("link", { name: "Upload" }));
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(navigation).toHaveAttribute("inert");
  });

  it("keeps the navigation in reach on wide screens", () => {
    narrow(false);
    renderShellAs("coach");
    expect(screen.getByRole("navigation", { name: "Main" })).not.toHaveAttribute("inert");
  });
});
