import {describe, expect, it} from "vitest";
import {classWeights, smoothedTargets, softenedByTemperature} from "../../src/lib/targets.js";

describe("targets", () => {
  it("smoothedTargets(labels, {smoothing}) puts 1 - s + s/K on the label and s/K elsewhere", () => {
    const targets = smoothedTargets([2], {classes: 4, smoothing: 0.2});
    expect(Array.from(targets)).toEqual([0.05, 0.05, 0.85, 0.05].map(Math.fround));
  });

  it("classWeights(labels, 'balanced') weighs rare classes up and keeps the mean weight per face at 1", () => {
    const labels = [0, 0, 0, 1];
    const balanced = classWeights(labels, {classes: 2, weighting: "balanced"});
    expect(balanced[1] / balanced[0]).toBeCloseTo(3, 5);
    expect((3 * balanced[0] + balanced[1]) / 4).toBeCloseTo(1, 6);
    const sqrt = classWeights(labels, {classes: 2, weighting: "sqrt"});
    expect(sqrt[1] / sqrt[0]).toBeCloseTo(Math.sqrt(3), 5);
    expect(Array.from(classWeights(labels, {classes: 2, weighting: "none"}))).toEqual([1, 1]);
  });

  it("softenedByTemperature(p, {temperature: T}) is softmax(log p / T): flatter for T > 1, unchanged for T = 1, rows summing to 1", () => {
    const p = Float32Array.from([0.7, 0.2, 0.1, 0, 0.5, 0.5]);
    const same = softenedByTemperature(p, {classes: 3, temperature: 1});
    Array.from(p).forEach((value, i) => expect(same[i]).toBeCloseTo(value, 6));
    const soft = softenedByTemperature(p, {classes: 3, temperature: 2});
    const sqrt = [0.7, 0.2, 0.1].map(Math.sqrt);
    const total = sqrt[0] + sqrt[1] + sqrt[2];
    sqrt.forEach((value, c) => expect(soft[c]).toBeCloseTo(value / total, 6));
    // A zero stays a floor of 1e-8 before softening: no 0 / 0, the row still sums to 1.
    expect(soft[3]).toBeGreaterThan(0);
    expect(soft[3] + soft[4] + soft[5]).toBeCloseTo(1, 6);
    expect(soft[4]).toBeCloseTo(soft[5], 6);
    // The input is left as it was.
    expect(p[0]).toBeCloseTo(0.7, 6);
  });
});
