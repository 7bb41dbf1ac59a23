import {describe, expect, it} from "vitest";
import {addToAverage, statisticsRefreshSteps} from "../../tools/weight-average.js";

const tensor = (name: string, ...values: number[]) => ({name, shape: [values.length], values: Float32Array.from(values)});

describe("addToAverage", () => {
  it("addToAverage(null, w, 0) copies w; each later call keeps the equal-weight mean of every set added", () => {
    const first = [tensor("a", 1, 2), tensor("b", 10)];
    let average = addToAverage(null, first, 0);
    expect(average).toEqual(first);
    expect(average[0].values).not.toBe(first[0].values);
    average = addToAverage(average, [tensor("a", 3, 4), tensor("b", 20)], 1);
    average = addToAverage(average, [tensor("a", 5, 0), tensor("b", 30)], 2);
    expect(Array.from(average[0].values)).toEqual([3, 2]);
    expect(Array.from(average[1].values)).toEqual([20]);
    expect(first[0].values).toEqual(Float32Array.of(1, 2));
  });

  it("addToAverage refuses weights that do not match the average", () => {
    const average = [tensor("a", 1, 2)];
    expect(() => addToAverage(average, [tensor("a", 1, 2), tensor("b", 3)], 1)).toThrow("the average holds 1 weights, the model 2");
    expect(() => addToAverage(average, [tensor("a", 1)], 1)).toThrow("weight a has 1 values, its average 2");
  });
});

describe("statisticsRefreshSteps", () => {
  it("statisticsRefreshSteps(momenta) is the batches after which the slowest BatchNorm keeps under 0.1% of its old statistics", () => {
    expect(statisticsRefreshSteps([0.9])).toBe(66);
    expect(0.9 ** 66).toBeLessThan(1e-3);
    expect(0.9 ** 65).toBeGreaterThan(1e-3);
    expect(statisticsRefreshSteps([0.5, 0.99])).toBe(688);
    expect(statisticsRefreshSteps([])).toBe(1);
    expect(() => statisticsRefreshSteps([1])).toThrow("never forgets");
  });
});
