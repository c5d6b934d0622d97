import { snippetParts } from "./snippet";

describe("snippet highlights", () => {
  it("cuts the snippet into plain and highlighted parts at the server's offsets", () => {
    expect(snippetParts("I keep avoiding delegation at work", [[16, 26]])).toEqual([
      { text: "I keep avoiding ", highlighted: false },
      { text: "delegation", highlighted: true },
      { text: " at work", highlighted: false },
    ]);
  });

  it("keeps every character once, whatever the offsets: unsorted, overlapping, out of range", () => {
    const parts = snippetParts("abcdefghij", [
      [6, 20],
      [0, 2],
      [1, 4],
      [5, 5],
      [-3, 0],
    ]);
    expect(parts.map((p) => p.text).join("")).toBe("abcdefghij");
    expect(parts.filter((p) => p.highlighted).map((p) => p.text)).toEqual(["abcd", "ghij"]);
  });
});
