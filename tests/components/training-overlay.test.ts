import {describe, expect, it} from "vitest";
import {runColors} from "../../src/components/TrainingOverlay.js";

describe("runColors", () => {
  it("runColors(n) starts with Plot's observable10 palette, so ten runs or fewer look as in every other chart", () => {
    expect(runColors(3)).toEqual(["#4269d0", "#efb118", "#ff725c"]);
  });

  it("runColors(n) gives every run its own colour past ten: the palette again, darker", () => {
    const colors = runColors(20);
    expect(new Set(colors).size).toBe(20);
    expect(colors[10]).not.toBe(colors[0]);
    expect(colors[10]).toMatch(/^#[0-9a-f]{6}$/);
  });
});
