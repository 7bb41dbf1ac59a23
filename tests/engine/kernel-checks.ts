// Shared checks of the engine's wasm kernels against the cpu backend, run once with the pure-wasm kernels and
// once with the native addon (each test file is its own process, and kernel registration is per process).
import * as tf from "@tensorflow/tfjs";
import {beforeAll, describe, expect, it} from "vitest";
import {initTrainingBackend} from "../../engine/backend.js";
import {fuseBatchNormRelu} from "../../engine/batch-norm.js";
import {dropoutForward} from "../../engine/dropout.js";

// Seeded data so a failure reproduces; the reference is the pure-JS cpu backend's own gradient kernels.
function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = ((state >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

async function onBackend(name: "cpu" | "wasm", compute: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const result = tf.tidy(compute);
  const values = (await result.data()) as Float32Array;
  result.dispose();
  return values;
}

/** Largest |a-b| relative to the largest |b|: gradients sum many terms, so elementwise ratios near 0 mislead. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

/**
 * One training pass through `net` (a BatchNormalization layer, or a model around one) on a backend, from the
 * layer's `initial` weights: the output, the input gradient, gamma's and beta's gradients and the moving
 * statistics after the pass, concatenated.
 */
async function batchNormTrainingPass(
  backend: "cpu" | "wasm", layer: tf.layers.Layer, net: {apply(x: tf.Tensor, kwargs: {training: boolean}): unknown},
  initial: tf.Tensor[], x: tf.Tensor, dy: tf.Tensor
): Promise<Float32Array> {
  await tf.setBackend(backend);
  layer.setWeights(initial);
  const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const result = tf.tidy(() => {
    let output: tf.Tensor | null = null;
    const {grads} = tf.variableGrads(() => {
      const y = net.apply(x, {training: true}) as tf.Tensor;
      output = tf.keep(y.clone());
      return y.mul(dy).sum() as tf.Scalar;
    }, variables);
    const dx = tf.grad((a: tf.Tensor) => (net.apply(a, {training: true}) as tf.Tensor).mul(dy).sum())(x);
    const moving = layer.getWeights().slice(2);
    return tf.concat([output!.flatten(), dx.flatten(), ...variables.map((v) => grads[v.name].flatten()), ...moving.map((m) => m.flatten())]);
  });
  const values = (await result.data()) as Float32Array;
  result.dispose();
  return values;
}

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filter: [number, number];
  stride: number | [number, number];
  pad: "same" | "valid";
}

const CONV_CASES: ConvCase[] = [
  {batch: 1, height: 7, width: 7, inChannels: 3, outChannels: 4, filter: [3, 3], stride: 1, pad: "same"},
  {batch: 3, height: 9, width: 6, inChannels: 5, outChannels: 7, filter: [3, 3], stride: 2, pad: "same"},
  {batch: 2, height: 8, width: 11, inChannels: 4, outChannels: 3, filter: [3, 2], stride: 1, pad: "valid"},
  {batch: 5, height: 10, width: 9, inChannels: 6, outChannels: 8, filter: [3, 3], stride: 2, pad: "valid"},
  {batch: 1, height: 12, width: 12, inChannels: 1, outChannels: 16, filter: [5, 5], stride: [2, 1], pad: "same"},
  {batch: 3, height: 6, width: 5, inChannels: 8, outChannels: 2, filter: [1, 1], stride: 1, pad: "valid"},
  {batch: 2, height: 11, width: 13, inChannels: 3, outChannels: 5, filter: [4, 4], stride: 3, pad: "same"},
  // Shapes where the native addon picks Winograd (3x3, stride 1, >= 32 channels, output tiles well used).
  {batch: 2, height: 8, width: 8, inChannels: 32, outChannels: 40, filter: [3, 3], stride: 1, pad: "same"},
  {batch: 3, height: 14, width: 12, inChannels: 36, outChannels: 32, filter: [3, 3], stride: 1, pad: "valid"}
];

function describeCase(c: ConvCase): string {
  return `x ${c.batch}x${c.height}x${c.width}x${c.inChannels}, filter ${c.filter.join("x")}, stride ${c.stride}, ${c.pad}`;
}

export function describeKernelChecks(title: string, options: {native: boolean}): void {
describe(title, () => {
  beforeAll(async () => {
    const started = await initTrainingBackend({prefer: "wasm", native: options.native});
    expect(started.backend).toBe("wasm");
    expect(started.native).toBe(options.native);
  });

  for (const [index, c] of CONV_CASES.entries()) {
    const xShape = [c.batch, c.height, c.width, c.inChannels] as [number, number, number, number];
    const filterShape = [c.filter[0], c.filter[1], c.inChannels, c.outChannels] as [number, number, number, number];

    it(`Conv2DBackpropInput matches cpu to 1e-4 (${describeCase(c)})`, async () => {
      const filter = randomTensor(filterShape, 11 + index) as tf.Tensor4D;
      const outShape = tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, filter, c.stride, c.pad).shape;
      const dy = randomTensor(outShape, 23 + index) as tf.Tensor4D;
      const compute = () => tf.conv2dTranspose(dy, filter, xShape, c.stride, c.pad);
      const expected = await onBackend("cpu", compute);
      const actual = await onBackend("wasm", compute);
      expect(relativeError(actual, expected)).toBeLessThan(1e-4);
    });

    it(`Conv2DBackpropFilter matches cpu to 1e-4 (${describeCase(c)})`, async () => {
      const x = randomTensor(xShape, 31 + index) as tf.Tensor4D;
      const filter = randomTensor(filterShape, 41 + index) as tf.Tensor4D;
      const outShape = tf.conv2d(x, filter, c.stride, c.pad).shape;
      const dy = randomTensor(outShape, 53 + index) as tf.Tensor4D;
      const compute = () => tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, c.stride, c.pad).mul(dy).sum())(filter);
      const expected = await onBackend("cpu", compute);
      const actual = await onBackend("wasm", compute);
      expect(relativeError(actual, expected)).toBeLessThan(1e-4);
    });

    for (const multiplier of [1, 2]) {
      const depthwiseShape = [c.filter[0], c.filter[1], c.inChannels, multiplier] as [number, number, number, number];
      // tfjs depthwise convolutions accept unequal strides only as [s, s]; use the first.
      const stride = typeof c.stride === "number" ? c.stride : c.stride[0];

      it(`DepthwiseConv2dNative gradients match cpu to 1e-4 (${describeCase(c)}, multiplier ${multiplier})`, async () => {
        const x = randomTensor(xShape, 61 + index) as tf.Tensor4D;
        const filter = randomTensor(depthwiseShape, 71 + index) as tf.Tensor4D;
        const outShape = tf.depthwiseConv2d(x, filter, stride, c.pad).shape;
        const dy = randomTensor(outShape, 83 + index);
        const gradients = () => {
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, c.pad).mul(dy).sum()
          )([x, filter]);
          return tf.concat([dx.flatten(), dw.flatten()]);
        };
        const expected = await onBackend("cpu", gradients);
        const actual = await onBackend("wasm", gradients);
        const split = x.size;
        expect(relativeError(actual.subarray(0, split), expected.subarray(0, split))).toBeLessThan(1e-4);
        expect(relativeError(actual.subarray(split), expected.subarray(split))).toBeLessThan(1e-4);
      });
    }
  }

  for (const [index, c] of CONV_CASES.entries()) {
    const xShape = [c.batch, c.height, c.width, c.inChannels] as [number, number, number, number];
    const filterShape = [c.filter[0], c.filter[1], c.inChannels, c.outChannels] as [number, number, number, number];
    it(`fused conv2d with bias and relu, and its gradients, match cpu to 1e-4 (${describeCase(c)})`, async () => {
      const x = randomTensor(xShape, 91 + index) as tf.Tensor4D;
      const filter = randomTensor(filterShape, 93 + index) as tf.Tensor4D;
      const bias = randomTensor([c.outChannels], 95 + index) as tf.Tensor1D;
      const outShape = tf.conv2d(x, filter, c.stride, c.pad).shape;
      const dy = randomTensor(outShape, 97 + index);
      const compute = () => {
        const f = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
          tf.fused.conv2d({x: a as tf.Tensor4D, filter: b as tf.Tensor4D, bias: d, strides: c.stride, pad: c.pad, activation: "relu"});
        const y = f(x, filter, bias);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => f(a, b, d).mul(dy).sum())([x, filter, bias]);
        return tf.concat([y.flatten(), ...grads.map((g) => g.flatten())]);
      };
      const expected = await onBackend("cpu", compute);
      const actual = await onBackend("wasm", compute);
      expect(relativeError(actual, expected)).toBeLessThan(1e-4);
    });
  }

  const POOL_CASES: {shape: [number, number, number, number]; size: number; stride: number; pad: "same" | "valid"}[] = [
    {shape: [2, 9, 9, 5], size: 3, stride: 2, pad: "same"},
    {shape: [3, 8, 7, 4], size: 2, stride: 2, pad: "valid"},
    {shape: [1, 6, 10, 3], size: 3, stride: 1, pad: "same"},
    {shape: [2, 6, 8, 5], size: 2, stride: 2, pad: "same"},
    // Anti-aliased pooling's dense max (src/lib/models/blocks.ts's blurPool): overlapping windows, odd sides.
    {shape: [2, 7, 6, 11], size: 2, stride: 1, pad: "same"}
  ];
  for (const [index, p] of POOL_CASES.entries()) {
    it(`MaxPoolGrad matches cpu to 1e-4 (x ${p.shape.join("x")}, pool ${p.size}, stride ${p.stride}, ${p.pad})`, async () => {
      const x = randomTensor(p.shape, 101 + index) as tf.Tensor4D;
      const dy = randomTensor(tf.maxPool(x, p.size, p.stride, p.pad).shape, 103 + index);
      const compute = () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, p.size, p.stride, p.pad).mul(dy).sum())(x);
      expect(relativeError(await onBackend("wasm", compute), await onBackend("cpu", compute))).toBeLessThan(1e-4);
    });

    it(`AvgPoolGrad matches cpu to 1e-4 (x ${p.shape.join("x")}, pool ${p.size}, stride ${p.stride}, ${p.pad})`, async () => {
      const x = randomTensor(p.shape, 105 + index) as tf.Tensor4D;
      const dy = randomTensor(tf.avgPool(x, p.size, p.stride, p.pad).shape, 107 + index);
      const compute = () => tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, p.size, p.stride, p.pad).mul(dy).sum())(x);
      expect(relativeError(await onBackend("wasm", compute), await onBackend("cpu", compute))).toBeLessThan(1e-4);
    });
  }

  for (const shape of [[6, 5, 4, 3], [5, 8]] as number[][]) {
    it(`BatchNormalization in training mode (output, gradients, moving statistics) matches cpu to 1e-4 (x ${shape.join("x")})`, async () => {
      const channels = shape[shape.length - 1];
      const layer = tf.layers.batchNormalization({momentum: 0.9, epsilon: 1e-3});
      layer.build(shape);
      const x = randomTensor(shape, 111).mul(3).add(0.5);
      const dy = randomTensor(shape, 113);
      const initial = layer.getWeights().map((w) => w.clone());
      initial[0] = randomTensor([channels], 115).add(1.5);
      initial[1] = randomTensor([channels], 117);
      const run = (backend: "cpu" | "wasm") => batchNormTrainingPass(backend, layer, layer, initial, x, dy);
      const expected = await run("cpu");
      const actual = await run("wasm");
      expect(relativeError(actual, expected)).toBeLessThan(1e-4);
    });
  }

  for (const [shape, axis, keepDims] of [[[4, 5, 6, 7], [0, 1, 2], false], [[3, 8], 0, true], [[2, 3, 4], [0, 1], true], [[3, 4, 5], [1, 2], false]] as [number[], number | number[], boolean][]) {
    it(`Sum over axes ${JSON.stringify(axis)} (keepDims ${keepDims}) of ${shape.join("x")} matches cpu to 1e-4`, async () => {
      const x = randomTensor(shape, 121);
      const compute = () => tf.sum(x, axis, keepDims);
      expect(relativeError(await onBackend("wasm", compute), await onBackend("cpu", compute))).toBeLessThan(1e-4);
    });
  }

  for (const [aShape, bShape, transposeA, transposeB] of [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[2, 7, 5], [2, 3, 7], true, true],
    [[2, 5, 7], [1, 7, 3], false, false]
  ] as [number[], number[], boolean, boolean][]) {
    it(`matMul ${aShape.join("x")}${transposeA ? "ᵀ" : ""} x ${bShape.join("x")}${transposeB ? "ᵀ" : ""}, plain and fused with bias and relu, matches cpu to 1e-4`, async () => {
      const a = randomTensor(aShape, 131);
      const b = randomTensor(bShape, 133);
      const n = transposeB ? bShape[bShape.length - 2] : bShape[bShape.length - 1];
      const bias = randomTensor([n], 135);
      const compute = () =>
        tf.concat([
          tf.matMul(a, b, transposeA, transposeB).flatten(),
          tf.fused.matMul({a, b, transposeA, transposeB, bias, activation: "relu"}).flatten()
        ]);
      expect(relativeError(await onBackend("wasm", compute), await onBackend("cpu", compute))).toBeLessThan(1e-4);
    });
  }

  it("MaxPoolGrad of a 2x2 pool sends each window's gradient to its first maximum when values tie, as cpu does", async () => {
    // Values from {0, 1, 2}: most windows hold ties.
    const x = tf.tidy(() => randomTensor([2, 6, 8, 17], 109).add(1).mul(1.5).floor()) as tf.Tensor4D;
    const dy = randomTensor([2, 3, 4, 17], 110);
    const compute = () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid").mul(dy).sum())(x);
    expect(relativeError(await onBackend("wasm", compute), await onBackend("cpu", compute))).toBeLessThan(1e-6);
  });

  it("MaxPoolGrad of a dense 2x2 pool (stride 1, same) adds each window's gradient to its first maximum when values tie, as cpu does", async () => {
    const x = tf.tidy(() => randomTensor([2, 7, 6, 19], 119).add(1).mul(1.5).floor()) as tf.Tensor4D;
    const dy = randomTensor([2, 7, 6, 19], 120);
    const compute = () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 1, "same").mul(dy).sum())(x);
    expect(relativeError(await onBackend("wasm", compute), await onBackend("cpu", compute))).toBeLessThan(1e-6);
  });

  it("BatchNormalization followed by ReLU, fused into one kernel in training, matches cpu's two layers to 1e-4 (output, gradients, moving statistics)", async () => {
    const shape = [4, 6, 5, 9];
    const input = tf.input({shape: shape.slice(1)});
    const bn = tf.layers.batchNormalization({momentum: 0.9, epsilon: 1e-3});
    const output = tf.layers.reLU().apply(bn.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({inputs: input, outputs: output});
    expect(fuseBatchNormRelu(model)).toBe(1);
    const x = randomTensor(shape, 131).mul(2).add(0.3);
    const dy = randomTensor(shape, 133);
    const initial = bn.getWeights().map((w) => w.clone());
    initial[0] = randomTensor([9], 135).add(1);
    initial[1] = randomTensor([9], 137);
    const run = (backend: "cpu" | "wasm") => batchNormTrainingPass(backend, bn, model, initial, x, dy);
    const expected = await run("cpu");
    await tf.setBackend("wasm");
    const {kernels} = await tf.profile(() => tf.tidy(() => model.apply(x, {training: true}) as tf.Tensor));
    expect(kernels.map((k) => k.name)).not.toContain("Relu");
    expect(relativeError(await run("wasm"), expected)).toBeLessThan(1e-4);
  });

  it("BatchNormalization at inference (alone, and with its ReLU folded in) matches cpu to 1e-5 in one kernel, and under a tape keeps tfjs's ops and gradients", async () => {
    const shape = [3, 5, 4, 11];
    const input = tf.input({shape: shape.slice(1)});
    const fused = tf.layers.batchNormalization({epsilon: 1e-3});
    const plain = tf.layers.batchNormalization({epsilon: 1e-3});
    const rectified = tf.layers.reLU().apply(fused.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({inputs: input, outputs: [rectified, plain.apply(input) as tf.SymbolicTensor]});
    expect(fuseBatchNormRelu(model)).toBe(1);
    // Trained-looking moving statistics: means away from 0, variances from 0.05 to 4.
    for (const [k, layer] of [fused, plain].entries()) {
      layer.setWeights([
        randomTensor([11], 161 + k).add(1.2), randomTensor([11], 163 + k), randomTensor([11], 165 + k).mul(2),
        randomTensor([11], 167 + k).add(1).mul(2).add(0.05)
      ]);
    }
    const x = randomTensor(shape, 169).mul(3);
    const compute = () => tf.concat((model.apply(x, {training: false}) as tf.Tensor[]).map((t) => t.flatten()));
    const expected = await onBackend("cpu", compute);
    expect(relativeError(await onBackend("wasm", compute), expected)).toBeLessThan(1e-5);
    const {kernels} = await tf.profile(() => tf.tidy(compute));
    expect(kernels.map((k) => k.name).filter((name) => /BatchNorm|Relu/.test(name))).toEqual(["EngineBatchNormInference", "EngineBatchNormInference"]);
    // A gradient through the model at inference (saliency maps take one) runs tfjs's own kernels.
    const saliency = () => tf.grad((a: tf.Tensor) => (model.apply(a, {training: false}) as tf.Tensor[])[0].sum())(x);
    expect(relativeError(await onBackend("wasm", saliency), await onBackend("cpu", saliency))).toBeLessThan(1e-5);
  });

  it("convolution layers (plain, and with bias and ReLU) match cpu to 1e-4, and the first one computes no input gradient", async () => {
    const input = tf.input({shape: [9, 8, 2]});
    const first = tf.layers.conv2d({filters: 5, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: tf.initializers.heNormal({seed: 1})});
    const second = tf.layers.conv2d({filters: 4, kernelSize: 3, strides: 2, padding: "valid", activation: "relu", biasInitializer: tf.initializers.randomNormal({seed: 2})});
    const model = tf.model({inputs: input, outputs: second.apply(first.apply(input)) as tf.SymbolicTensor});
    const x = randomTensor([3, 9, 8, 2], 151);
    const dy = randomTensor([3, 4, 3, 4], 153);
    const loss = () => (model.apply(x, {training: true}) as tf.Tensor).mul(dy).sum() as tf.Scalar;
    const compute = () => {
      const {value, grads} = tf.variableGrads(loss);
      return tf.concat([value.reshape([1]), ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name].flatten())]);
    };
    const expected = await onBackend("cpu", compute);
    expect(relativeError(await onBackend("wasm", compute), expected)).toBeLessThan(1e-4);
    const {kernels} = await tf.profile(() => tf.tidy(() => tf.variableGrads(loss).value));
    expect(kernels.filter((k) => k.name === "Conv2DBackpropInput")).toHaveLength(1);
    expect(kernels.filter((k) => k.name === "Conv2DBackpropFilter")).toHaveLength(2);
  });

  it("Winograd-shaped convolution layers match cpu to 1e-4 over repeated steps, their blocked copies kept within each step", async () => {
    // 32 channels in and out, 3x3, stride 1, 8x8 outputs: where the addon runs Winograd, the forward inputs and the
    // output gradients carry keep ids (conv-layer.ts), so the filter gradients read copies kept by earlier calls.
    const input = tf.input({shape: [8, 8, 32]});
    const layers = [1, 2].map((seed) =>
      tf.layers.conv2d({filters: 32, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: tf.initializers.heNormal({seed}), biasInitializer: tf.initializers.randomNormal({seed: seed + 2})})
    );
    const model = tf.model({inputs: input, outputs: layers.reduce((x, layer) => layer.apply(x) as tf.SymbolicTensor, input as tf.SymbolicTensor)});
    const batches = [181, 183, 185].map((seed) => randomTensor([2, 8, 8, 32], seed));
    const dy = randomTensor([2, 8, 8, 32], 187);
    const compute = () =>
      tf.concat(batches.map((x) => {
        const {value, grads} = tf.variableGrads(() => (model.apply(x, {training: true}) as tf.Tensor).mul(dy).sum() as tf.Scalar);
        return tf.concat([value.reshape([1]), ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name].flatten())]);
      }));
    const expected = await onBackend("cpu", compute);
    expect(relativeError(await onBackend("wasm", compute), expected)).toBeLessThan(1e-4);
  });

  it("a ReLU convolution followed by BatchNorm (seed-vgg's order) matches cpu to 1e-4, its mask applied in the BatchNorm's gradient", async () => {
    const input = tf.input({shape: [7, 6, 3]});
    const conv = tf.layers.conv2d({filters: 5, kernelSize: 3, padding: "same", activation: "relu", biasInitializer: tf.initializers.randomNormal({seed: 3})});
    const rectified = conv.apply(input) as tf.SymbolicTensor;
    const normalized = tf.layers.batchNormalization({momentum: 0.9}).apply(rectified) as tf.SymbolicTensor;
    const only = tf.model({inputs: input, outputs: normalized});
    // The convolution's output also feeds a second layer: the tape sums both gradients, and the mask is applied to the sum.
    const branch = tf.layers.dense({units: 5, kernelInitializer: tf.initializers.glorotNormal({seed: 4})}).apply(rectified) as tf.SymbolicTensor;
    const shared = tf.model({inputs: input, outputs: tf.layers.add().apply([normalized, branch]) as tf.SymbolicTensor});
    const x = randomTensor([4, 7, 6, 3], 161);
    const dy = randomTensor([4, 7, 6, 5], 163);
    for (const model of [only, shared]) {
      const loss = () => (model.apply(x, {training: true}) as tf.Tensor).mul(dy).sum() as tf.Scalar;
      const compute = () => {
        const {value, grads} = tf.variableGrads(loss, model.trainableWeights.map((w) => w.read() as tf.Variable));
        return tf.concat([value.reshape([1]), ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name].flatten())]);
      };
      const expected = await onBackend("cpu", compute);
      expect(relativeError(await onBackend("wasm", compute), expected)).toBeLessThan(1e-4);
      const {kernels} = await tf.profile(() => tf.tidy(() => tf.variableGrads(loss).value));
      // One ReLU gradient pass where the convolution's output has a second consumer, none where BatchNorm is its only one.
      expect(kernels.filter((k) => k.name === "EngineReluGrad")).toHaveLength(model === only ? 0 : 1);
    }
  });

  it("Dropout in training runs as one kernel: the draws of dropoutForward, kept elements scaled by 1 / (1 - rate), the gradient through the same mask", async () => {
    await tf.setBackend("wasm");
    const rate = 0.3;
    const layer = tf.layers.dropout({rate});
    const x = randomTensor([8, 10, 10, 16], 171);
    const dy = randomTensor([8, 10, 10, 16], 173);
    const pass = (seed: number) => {
      const original = Math.random;
      Math.random = () => seed / 4294967296;
      try {
        const result = tf.tidy(() => {
          const y = layer.apply(x, {training: true}) as tf.Tensor;
          const dx = tf.grad((a: tf.Tensor) => (layer.apply(a, {training: true}) as tf.Tensor).mul(dy).sum())(x);
          return [y.dataSync() as Float32Array, dx.dataSync() as Float32Array];
        });
        return {y: result[0], dx: result[1]};
      } finally {
        Math.random = original;
      }
    };
    const {y, dx} = pass(12345);
    const xs = x.dataSync() as Float32Array;
    const dys = dy.dataSync() as Float32Array;
    const expectedY = new Float32Array(xs.length);
    const scale = new Float32Array(xs.length);
    dropoutForward(xs, expectedY, scale, rate, 12345);
    const differing = (actual: Float32Array, expected: (i: number) => number) => actual.filter((v, i) => v !== expected(i)).length;
    expect(differing(y, (i) => expectedY[i])).toBe(0);
    // The gradient uses the mask of the forward pass it belongs to (same seed, so the same mask here).
    expect(differing(dx, (i) => Math.fround(dys[i] * scale[i]))).toBe(0);
    const kept = scale.filter((s) => s > 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / (1 - rate))]));
    // 12,800 draws: the kept share's standard deviation is 0.4%.
    expect(Math.abs(kept.length / scale.length - (1 - rate))).toBeLessThan(0.02);
    expect(differing(pass(54321).y, (i) => y[i])).toBeGreaterThan(1000);
    const {kernels} = await tf.profile(() => tf.tidy(() => layer.apply(x, {training: true}) as tf.Tensor));
    expect(kernels.map((k) => k.name)).toEqual(["EngineDropout"]);
    expect(differing((layer.apply(x, {training: false}) as tf.Tensor).dataSync() as Float32Array, (i) => xs[i])).toBe(0);
  });

  it("relu's gradient matches cpu, and clones and same-type casts stay valid after their source is disposed", async () => {
    const x = randomTensor([3, 4, 5], 141);
    const dy = randomTensor([3, 4, 5], 143);
    const compute = () => tf.grad((a: tf.Tensor) => tf.relu(a).mul(dy).sum())(x);
    expect(relativeError(await onBackend("wasm", compute), await onBackend("cpu", compute))).toBeLessThan(1e-4);
    await tf.setBackend("wasm");
    const source = randomTensor([6], 145);
    const expected = Array.from(await source.data());
    const copies = [tf.clone(source), tf.cast(source, "float32")];
    source.dispose();
    for (const copy of copies) expect(Array.from(await copy.data())).toEqual(expected);
    tf.dispose(copies);
  });
});
}
