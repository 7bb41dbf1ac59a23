import {describe, expect, it} from "vitest";
import {confidenceText, versusText} from "../../src/components/PhotoModelsTable.js";

describe("versusText", () => {
  it("versusText(paired) gives the net count of faces with its sign and the standard error, rounded", () => {
    expect(versusText({gains: 97, losses: 119, net: -22, standardError: 14.7})).toBe("−22 ± 15");
    expect(versusText({gains: 100, losses: 96, net: 4, standardError: 14})).toBe("+4 ± 14");
    expect(versusText({gains: 3, losses: 3, net: 0, standardError: 2.45})).toBe("±0 ± 2");
  });

  it("versusText(undefined) is a dash: the first row is what the others are compared with", () => {
    expect(versusText(undefined)).toBe("–");
  });
});

describe("confidenceText", () => {
  it("confidenceText(scores) gives the mean confidence in whole percent and the ECE to a tenth", () => {
    expect(confidenceText({meanConfidence: 0.7295, ece: 0.0339})).toBe("73% · ECE 3.4%");
  });

  it("confidenceText(undefined) is a dash: a bench written before confidences were measured", () => {
    expect(confidenceText(undefined)).toBe("–");
  });
});
