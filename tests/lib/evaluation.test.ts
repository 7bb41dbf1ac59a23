import {describe, expect, it} from "vitest";
import {evaluatePredictions, meanProbabilities} from "../../src/lib/evaluation.js";

describe("meanProbabilities(members)", () => {
  it("averages the members' probabilities face by face, as an ensemble predicts", () => {
    const a = Float32Array.of(0.6, 0.4, 0.1, 0.9);
    const b = Float32Array.of(0.2, 0.8, 0.3, 0.7);
    const c = Float32Array.of(0.1, 0.9, 0.5, 0.5);
    expect(meanProbabilities([a, b, c])).toEqual(Float32Array.from([0.9 / 3, 2.1 / 3, 0.9 / 3, 2.1 / 3]));
    expect(meanProbabilities([a])).toEqual(a);
    expect(meanProbabilities([a])).not.toBe(a);
  });

  it("meanProbabilities rejects no members and members of different lengths", () => {
    expect(() => meanProbabilities([])).toThrow("meanProbabilities: no members");
    expect(() => meanProbabilities([Float32Array.of(1, 0), Float32Array.of(1)])).toThrow("member 1 has 1 probabilities, member 0 has 2");
  });

  it("an ensemble can be right where each member alone is wrong on a face", () => {
    // Two faces, both of class 3 (happy). Each member puts most weight on a different wrong class for face 0.
    const row = (p: Record<number, number>) => Array.from({length: 7}, (_, k) => p[k] ?? 0);
    const a = Float32Array.from([...row({0: 0.45, 3: 0.4, 4: 0.15}), ...row({3: 1})]);
    const b = Float32Array.from([...row({5: 0.45, 3: 0.4, 6: 0.15}), ...row({3: 1})]);
    const labels = [3, 3];
    expect(evaluatePredictions(a, labels).accuracy).toBe(0.5);
    expect(evaluatePredictions(b, labels).accuracy).toBe(0.5);
    expect(evaluatePredictions(meanProbabilities([a, b]), labels).accuracy).toBe(1);
  });
});
