import {describe, expect, it} from "vitest";
import {trustOf} from "../../src/components/PipelineTables.js";

const row = (photo: number | null, originalFlip: number | null) => ({
  bucket: "100-160", faces: 100, original: originalFlip, originalFlip, photo, photoUpright: photo, camera: null, photoRecall: 1
});

describe("trustOf", () => {
  it("trustOf(row) calls a bucket 'as on FER2013' when the pipeline is within 3 points of the original crops, or above them", () => {
    expect(trustOf(row(0.645, 0.67))).toBe("as on FER2013");
    expect(trustOf(row(0.7, 0.67))).toBe("as on FER2013");
  });

  it("trustOf(row) calls a gap up to 10 points 'lower', and a larger one 'unreliable'; the options move both bounds", () => {
    expect(trustOf(row(0.6, 0.67))).toBe("lower");
    expect(trustOf(row(0.5, 0.67))).toBe("unreliable");
    expect(trustOf(row(0.6, 0.67), {within: 0.08})).toBe("as on FER2013");
    expect(trustOf(row(0.5, 0.67), {lower: 0.2})).toBe("lower");
  });

  it("trustOf(row) says nothing for a bucket without faces", () => {
    expect(trustOf(row(null, null))).toBe("–");
  });
});
