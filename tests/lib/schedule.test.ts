import {describe, expect, it} from "vitest";
import {cosineLr, oneCycleLr, plateauStart, plateauUpdate, scheduledLr} from "../../src/lib/schedule.js";

describe("oneCycleLr", () => {
  const options = {maxLr: 3e-3, totalSteps: 1000};
  it("oneCycleLr(step) starts at maxLr / 25, peaks at maxLr after 30% of the steps, ends near maxLr / 25e4", () => {
    expect(oneCycleLr(0, options)).toBeCloseTo(3e-3 / 25, 12);
    expect(oneCycleLr(300, options)).toBeCloseTo(3e-3, 12);
    expect(oneCycleLr(999, options)).toBeCloseTo(3e-3 / 25 / 1e4, 12);
  });

  it("oneCycleLr rises during warm-up and falls after it", () => {
    expect(oneCycleLr(100, options)).toBeLessThan(oneCycleLr(200, options));
    expect(oneCycleLr(500, options)).toBeGreaterThan(oneCycleLr(800, options));
  });
});

describe("cosineLr", () => {
  it("cosineLr(step) decays from maxLr to minLr, half-way at the middle", () => {
    const options = {maxLr: 1, totalSteps: 100, minLr: 0};
    expect(cosineLr(0, options)).toBe(1);
    expect(cosineLr(50, options)).toBeCloseTo(0.5, 12);
    expect(cosineLr(100, options)).toBeCloseTo(0, 12);
  });

  it("cosineLr with warm-up rises linearly first", () => {
    expect(cosineLr(0, {maxLr: 1, totalSteps: 100, warmupSteps: 10})).toBeCloseTo(0.1, 12);
    expect(cosineLr(9, {maxLr: 1, totalSteps: 100, warmupSteps: 10})).toBeCloseTo(1, 12);
  });
});

describe("plateau", () => {
  it("plateauUpdate(state, metric) cuts lr on the `patience`-th epoch without improvement, as Keras does", () => {
    let state = plateauStart(1e-3);
    state = plateauUpdate(state, 0.5, {patience: 2});
    expect(state).toEqual({lr: 1e-3, best: 0.5, wait: 0});
    state = plateauUpdate(state, 0.49, {patience: 2});
    expect(state).toEqual({lr: 1e-3, best: 0.5, wait: 1});
    state = plateauUpdate(state, 0.5, {patience: 2});
    expect(state).toEqual({lr: 5e-4, best: 0.5, wait: 0});
    state = plateauUpdate(state, 0.6, {patience: 2});
    expect(state).toEqual({lr: 5e-4, best: 0.6, wait: 0});
  });

  it("plateauUpdate(state, loss, {mode: 'min'}) watches a loss: lower is better, by more than the threshold", () => {
    const options = {mode: "min", factor: 0.9, patience: 5} as const;
    let state = plateauStart(1e-3);
    for (const loss of [1.5, 1.4, 1.39995, 1.41, 1.42, 1.4, 1.45]) state = plateauUpdate(state, loss, options);
    expect(state).toEqual({lr: 1e-3 * 0.9, best: 1.4, wait: 0});
    state = plateauUpdate(state, 1.3, options);
    expect(state).toEqual({lr: 1e-3 * 0.9, best: 1.3, wait: 0});
  });

  it("plateauUpdate resumes from a state that went through JSON (no best yet is null)", () => {
    const state = JSON.parse(JSON.stringify(plateauStart(1e-3)));
    expect(plateauUpdate(state, 2.5, {mode: "min"})).toEqual({lr: 1e-3, best: 2.5, wait: 0});
  });

  it("plateauUpdate never goes below minLr", () => {
    let state = plateauStart(1e-5);
    for (let i = 0; i < 10; i++) state = plateauUpdate(state, 0, {patience: 1, minLr: 4e-6});
    expect(state.lr).toBe(4e-6);
  });
});

describe("scheduledLr", () => {
  it("scheduledLr('constant' | 'plateau', step) is maxLr; 'onecycle' and 'cosine' follow their curves", () => {
    const options = {maxLr: 2e-3, totalSteps: 100};
    expect(scheduledLr("constant", 50, options)).toBe(2e-3);
    expect(scheduledLr("plateau", 50, options)).toBe(2e-3);
    expect(scheduledLr("onecycle", 0, options)).toBeCloseTo(2e-3 / 25, 12);
    expect(scheduledLr("cosine", 99, options)).toBeLessThan(1e-5);
  });
});
