import { render, screen, within } from "@testing-library/react";
import { DiffView, itemLabel, wordParts } from "./diffView";
import type { Change } from "./reviewState";

describe("diff view", () => {
  it("splits a change into kept, removed and added words", () => {
    expect(wordParts("You should call Sam", "You could call Sam")).toEqual([
      { text: "You ", kind: "same" },
      { text: "should", kind: "removed" },
      { text: "could", kind: "added" },
      { text: " call Sam", kind: "same" },
    ]);
    expect(wordParts(null, "New item")).toEqual([{ text: "New item", kind: "added" }]);
  });

  it("names items as the coach counts them", () => {
    expect(itemLabel({ section: "action_items", position: 2 })).toBe("Action 2");
  });

  it("renders removed words struck and added words inserted, with owner changes and notes", () => {
    const changes: Change[] = [
      {
        section: "wins",
        change: "changed",
        position: 1,
        before: { text: "Asked for help", evidence: [1] },
        after: { text: "Asked for help early", evidence: [1] },
        note: null,
      },
      {
        section: "action_items",
        change: "added",
        position: 1,
        before: null,
        after: { text: "Call Sam", evidence: [], owner: "Priya", due: null },
        note: "rests on no transcript turn",
      },
    ];
    const { container } = render(<DiffView changes={changes} />);
    const list = screen.getByRole("list", { name: "Changes" });
    const win = within(list).getByRole("listitem", { name: "Win 1 changed" });
    expect(win.querySelector("ins")?.textContent).toBe("early");
    const action = within(list).getByRole("listitem", { name: "Action 1 added" });
    expect(action).toHaveTextContent("owner: none → Priya");
    expect(action).toHaveTextContent("rests on no transcript turn");
    expect(container.querySelectorAll("del")).toHaveLength(0);
  });

  it("says when nothing changed", () => {
    render(<DiffView changes={[]} />);
    expect(screen.getByText("No words changed.")).toBeInTheDocument();
  });
});
