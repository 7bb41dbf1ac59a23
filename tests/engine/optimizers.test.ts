import * as tf from "@tensorflow/tfjs";
import {beforeAll, describe, expect, it} from "vitest";
import {createFlatOptimizer, kernelRanges, type OptimizerConfig} from "../../engine/optimizers.js";
import {loadNativeAddon} from "../../engine/native-build.js";

const SIZE = 50;

function sequence(seed: number, length = SIZE): Float32Array {
  return Float32Array.from({length}, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.5);
}

/** Runs `steps` updates with tfjs's own optimizer on one variable, gradients given. */
function tfjsTrajectory(optimizer: tf.Optimizer, steps: number): Float32Array {
  const variable = tf.variable(tf.tensor1d(sequence(1)));
  for (let s = 0; s < steps; s++) {
    optimizer.applyGradients([{name: variable.name, tensor: tf.tensor1d(sequence(10 + s))}]);
  }
  const values = variable.dataSync() as Float32Array;
  variable.dispose();
  optimizer.dispose();
  return values;
}

function flatTrajectory(config: OptimizerConfig, steps: number, nativeAdam?: Parameters<typeof createFlatOptimizer>[2]): Float32Array {
  const params = sequence(1);
  const optimizer = createFlatOptimizer(config, SIZE, nativeAdam);
  for (let s = 0; s < steps; s++) optimizer.apply(params, sequence(10 + s));
  return params;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);
}

describe("createFlatOptimizer", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("adam follows tf.train.adam step for step", () => {
    const expected = tfjsTrajectory(tf.train.adam(0.01, 0.9, 0.999, 1e-7), 5);
    expect(maxDifference(flatTrajectory({name: "adam", learningRate: 0.01}, 5), expected)).toBeLessThan(1e-6);
  });

  it("sgd with nesterov momentum follows tf.train.momentum step for step", () => {
    const expected = tfjsTrajectory(tf.train.momentum(0.05, 0.9, true), 5);
    expect(maxDifference(flatTrajectory({name: "sgd", learningRate: 0.05, momentum: 0.9, nesterov: true}, 5), expected)).toBeLessThan(1e-6);
  });

  it("getState/setState resume an optimizer exactly", () => {
    const config: OptimizerConfig = {name: "adam", learningRate: 0.01, weightDecay: 0.1};
    const straight = flatTrajectory(config, 4);
    const params = sequence(1);
    const first = createFlatOptimizer(config, SIZE);
    for (let s = 0; s < 2; s++) first.apply(params, sequence(10 + s));
    const resumed = createFlatOptimizer(config, SIZE);
    resumed.setState(first.getState());
    for (let s = 2; s < 4; s++) resumed.apply(params, sequence(10 + s));
    expect(Array.from(params)).toEqual(Array.from(straight));
  });

  it("kernelRanges(shapes) finds the kernels (rank 2 or more) in the flat layout, adjacent ones merged", () => {
    // conv kernel, BatchNorm gamma and beta, conv kernel, dense kernel, dense bias.
    const shapes = [[3, 3, 1, 4], [4], [4], [3, 3, 4, 2], [2, 7], [7]];
    expect(kernelRanges(shapes)).toEqual([{start: 0, end: 36}, {start: 44, end: 130}]);
    expect(kernelRanges([[5], [6]])).toEqual([]);
  });

  for (const name of ["adam", "sgd"] as const) {
    it(`${name} with decayed ranges decays those parameters as with weight decay and the rest as without`, () => {
      const config: OptimizerConfig = {name, learningRate: 0.05, momentum: 0.9, weightDecay: 0.5};
      const decayed = [{start: 5, end: 20}, {start: 30, end: 31}];
      const all = flatTrajectory(config, 5);
      const none = flatTrajectory({...config, weightDecay: 0}, 5);
      const ranged = flatTrajectory(config, 5, {decayed});
      const inRange = (i: number) => decayed.some(({start, end}) => i >= start && i < end);
      for (let i = 0; i < SIZE; i++) expect(Math.abs(ranged[i] - (inRange(i) ? all[i] : none[i]))).toBeLessThan(1e-6);
      expect(maxDifference(all, none)).toBeGreaterThan(0.01);
    });
  }

  it("rejects a decayed range outside the parameters", () => {
    expect(() => createFlatOptimizer({name: "adam", learningRate: 0.1, weightDecay: 0.1}, SIZE, {decayed: [{start: 40, end: 51}]})).toThrow(
      "decayed range [40, 51) is outside the 50 parameters"
    );
  });

  it("rejects an unknown optimizer and a state of the wrong size", () => {
    expect(() => createFlatOptimizer({name: "rmsprop" as "adam", learningRate: 0.1}, SIZE)).toThrow("unknown optimizer: rmsprop (expected adam or sgd)");
    const optimizer = createFlatOptimizer({name: "sgd", learningRate: 0.1}, SIZE);
    expect(() => optimizer.setState({iterations: 1, slots: [new Float32Array(3)]})).toThrow("sgd state needs 1 arrays of 50 values, got [3]");
  });

  const addon = loadNativeAddon();
  it.skipIf(addon == null)("the native adam step matches the JS one to 1e-6 (needs the oneDNN addon)", () => {
    const config: OptimizerConfig = {name: "adam", learningRate: 0.01, weightDecay: 0.01};
    const js = flatTrajectory(config, 5);
    const native = flatTrajectory(config, 5, {nativeAdam: addon!.adam});
    expect(maxDifference(native, js)).toBeLessThan(1e-6);
  });
});
