import {describe, expect, it} from "vitest";
import {parseSets} from "../../../tools/bench/crop-sizes.js";

describe("the crop-sizes bench's --sets", () => {
  it("parseSets reads sets of crop scales, separated by semicolons, scales by commas", () => {
    expect(parseSets("1;0.9,1,1.1")).toEqual([[1], [0.9, 1, 1.1]]);
  });

  it("parseSets rejects a set without 1 (the crop the page shows) and scales that are not positive numbers", () => {
    expect(() => parseSets("0.9,1.1")).toThrow(/holds 1/);
    expect(() => parseSets("1;1,0")).toThrow(/positive/);
    expect(() => parseSets("1;1,big")).toThrow(/invalid --sets/);
  });
});
