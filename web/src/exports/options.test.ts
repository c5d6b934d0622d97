import { rowsLabel, sizeLabel } from "./options";

describe("a file's facts", () => {
  it("counts rows with thousands separators", () => {
    expect(rowsLabel(1)).toBe("1 row");
    expect(rowsLabel(1204)).toBe("1,204 rows");
  });

  it("says a size in the unit people read", () => {
    expect(sizeLabel(0)).toBe("0 B");
    expect(sizeLabel(900)).toBe("900 B");
    expect(sizeLabel(90_112)).toBe("88 KB");
    expect(sizeLabel(2_516_582)).toBe("2.4 MB");
    expect(sizeLabel(5 * 1024 ** 4)).toBe("5 TB");
  });
});
