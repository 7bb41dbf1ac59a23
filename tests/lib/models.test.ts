import {describe, expect, it} from "vitest";
import * as tf from "@tensorflow/tfjs";
import {MODEL_NAMES, createModel, modelSummary} from "../../src/lib/models/index.js";
import {BINOMIAL_3X3, SeedSequence, blurPool, squeezeExcite} from "../../src/lib/models/blocks.js";
import {Random, deriveSeed} from "../../src/lib/random.js";
import {NOTEBOOK_PARAMETERS} from "../../src/lib/original-project.js";

describe("createModel", () => {
  it("MODEL_NAMES lists the original project's network and ours", () => {
    expect(MODEL_NAMES).toEqual(expect.arrayContaining(["seed-vgg", "fer-compact", "fer-slim"]));
  });

  for (const name of MODEL_NAMES) {
    it(`createModel("${name}") maps [null, 48, 48, 1] to [null, 7] probabilities`, () => {
      const model = createModel(name);
      expect(model.inputs[0].shape).toEqual([null, 48, 48, 1]);
      expect(model.outputs[0].shape).toEqual([null, 7]);
      const probabilities = Array.from(tf.tidy(() => (model.predict(tf.zeros([1, 48, 48, 1])) as tf.Tensor).dataSync()));
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      model.dispose();
    });
  }

  it("the candidates for issue 11's default fit its budget: at most 60 MFLOPs, and under 1 MB of weights as uint8 (a byte a parameter)", () => {
    for (const [name, params, flops] of [["fer-tail", 590039, 53751296], ["fer-tail-wide", 887767, 59063296], ["fer-tail-se", 612487, 53795072], ["fer-tail-blur", 592199, 54062336]] as const) {
      const model = createModel(name);
      const summary = modelSummary(model);
      expect([name, summary.params, summary.flops]).toEqual([name, params, flops]);
      expect(summary.flops).toBeLessThanOrEqual(60e6);
      expect(summary.params).toBeLessThan(1e6);
      model.dispose();
    }
  });

  it("createModel(name) rejects an unknown name, listing the valid ones", () => {
    expect(() => createModel("resnet")).toThrow(`unknown model: resnet (expected one of ${MODEL_NAMES.join(", ")})`);
  });

  it("createModel(name, {seed}) gives the same initial weights for the same seed, other weights for another", () => {
    const [a, b, c] = [1, 1, 2].map((seed) => createModel("tiny", {seed}));
    const first = (m: tf.LayersModel) => m.getWeights()[0].dataSync();
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe("seed-vgg", () => {
  it("seed-vgg is emojimation.ipynb's network: 5,102,791 parameters, its layer sequence and shapes", () => {
    const model = createModel("seed-vgg");
    const summary = modelSummary(model);
    // Convolutions 4,684,224 + batch norm 7,680 + dense 512-512-256-64-7 410,887.
    expect(summary.params).toBe(5_102_791);
    expect(NOTEBOOK_PARAMETERS).toBe(summary.params);
    const types = summary.layers.map((l) => l.type);
    expect(types.filter((t) => t === "Conv2D")).toHaveLength(8);
    expect(types.filter((t) => t === "BatchNormalization")).toHaveLength(8);
    expect(types.filter((t) => t === "MaxPooling2D")).toHaveLength(4);
    // One per block and one after each hidden dense layer.
    expect(types.filter((t) => t === "Dropout")).toHaveLength(7);
    const shape = (name: string) => summary.layers.find((l) => l.name === name)!.outputShape;
    // The first convolution is unpadded; 3x3/2 pooling without padding: 46 -> 22 -> 10 -> 4 -> 1.
    expect([shape("block1_conv1"), shape("block1_pool"), shape("block2_pool"), shape("block3_pool"), shape("block4_pool")]).toEqual([
      [46, 46, 64], [22, 22, 64], [10, 10, 128], [4, 4, 256], [1, 1, 512]
    ]);
    // ReLU inside the convolution, batch norm after it (Keras's Conv2D(activation='relu') then BatchNormalization()).
    expect(types.slice(1, 3)).toEqual(["Conv2D", "BatchNormalization"]);
    expect(summary.layers.filter((l) => l.type === "Dense").map((l) => l.outputShape[0])).toEqual([512, 256, 64, 7]);
    expect(shape("flatten")).toEqual([512]);
    model.dispose();
  });
});

describe("blurPool", () => {
  // The reference, written out: out(y, x) = sum over the 3x3 taps (dy, dx) of binomial(dy, dx) x m(2y + dy, 2x + dx),
  // where m is the dense 2x2 max (rows y, y+1 and columns x, x+1, those past the bottom and right edges left out)
  // and taps outside the map count 0 ('same' padding of a 6-pixel side with stride 2 pads only the bottom/right).
  function reference(values: number[][], side: number): number[][] {
    const at = (y: number, x: number) => (y < side && x < side ? values[y][x] : -Infinity);
    const m = (y: number, x: number) => Math.max(at(y, x), at(y, x + 1), at(y + 1, x), at(y + 1, x + 1));
    const half = side / 2;
    return Array.from({length: half}, (_, y) =>
      Array.from({length: half}, (_, x) => {
        let sum = 0;
        for (let dy = 0; dy < 3; dy++)
          for (let dx = 0; dx < 3; dx++) {
            const yy = 2 * y + dy, xx = 2 * x + dx;
            if (yy < side && xx < side) sum += BINOMIAL_3X3[dy * 3 + dx] * m(yy, xx);
          }
        return sum;
      })
    );
  }

  it("blurPool(x) is the dense 2x2 max followed by the 3x3 binomial blur [1 2 1] x [1 2 1] / 16 with stride 2, per channel", () => {
    const random = new Random(deriveSeed(4, 1));
    const side = 6;
    const channels = [0, 1].map(() => Array.from({length: side}, () => Array.from({length: side}, () => random.next())));
    const input = tf.input({shape: [side, side, 2]});
    const model = tf.model({inputs: input, outputs: blurPool(input, {name: "p"})});
    expect(model.layers.slice(1).map((l) => [l.name, l.getClassName(), l.trainable])).toEqual([
      ["p_max", "MaxPooling2D", true],
      ["p_blur", "DepthwiseConv2D", false]
    ]);
    expect(model.trainableWeights).toHaveLength(0);
    const x = tf.tensor4d(Array.from({length: side * side * 2}, (_, i) => channels[i % 2][Math.floor(i / 2 / side)][Math.floor(i / 2) % side]), [1, side, side, 2]);
    const out = (model.predict(x) as tf.Tensor).arraySync() as number[][][][];
    for (const c of [0, 1]) {
      const expected = reference(channels[c], side);
      out[0].forEach((row, y) => row.forEach((cell, xx) => expect(cell[c]).toBeCloseTo(expected[y][xx], 5)));
    }
    model.dispose();
  });

  it("the blur's kernel is exact as uint8: 1/16, 2/16 and 4/16 fall on the 0-255 grid between its minimum and maximum", () => {
    const [min, max] = [Math.min(...BINOMIAL_3X3), Math.max(...BINOMIAL_3X3)];
    for (const v of BINOMIAL_3X3) expect(Number.isInteger(Math.round(((v - min) / (max - min)) * 255 * 1e6) / 1e6)).toBe(true);
  });
});

describe("squeezeExcite", () => {
  it("squeezeExcite(x) multiplies each channel of each face by its own gate, sigmoid(expand(relu(reduce(channel means))))", () => {
    const input = tf.input({shape: [4, 4, 8]});
    const output = squeezeExcite(input, {name: "se", ratio: 2, seeds: new SeedSequence(3)});
    const model = tf.model({inputs: input, outputs: output});
    expect(model.layers.slice(1).map((l) => l.name)).toEqual(["se_pool", "se_reduce", "se_expand", "se_reshape", "se_scale"]);
    expect(model.getLayer("se_reduce").getWeights()[0].shape).toEqual([8, 4]);
    const x = tf.tidy(() => tf.randomUniform([2, 4, 4, 8], 0, 1, "float32", 5));
    const [reduceKernel, reduceBias] = model.getLayer("se_reduce").getWeights();
    const [expandKernel, expandBias] = model.getLayer("se_expand").getWeights();
    const expected = tf.tidy(() => {
      const means = tf.mean(x, [1, 2]);
      const hidden = tf.relu(tf.add(tf.matMul(means, reduceKernel), reduceBias));
      const gate = tf.sigmoid(tf.add(tf.matMul(hidden, expandKernel), expandBias));
      return tf.mul(x, tf.reshape(gate, [2, 1, 1, 8]));
    });
    const actual = model.predict(x) as tf.Tensor;
    expect(actual.shape).toEqual([2, 4, 4, 8]);
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]);
    expect(difference).toBeLessThan(1e-5);
    // The gate is the face's own: the two faces' channel ratios output/input differ.
    const ratios = tf.tidy(() => tf.div(tf.slice(actual, [0, 0, 0, 0], [2, 1, 1, 8]), tf.slice(x, [0, 0, 0, 0], [2, 1, 1, 8])).reshape([2, 8]).arraySync()) as number[][];
    expect(ratios[0]).not.toEqual(ratios[1]);
    for (const r of ratios.flat()) expect(r > 0 && r < 1).toBe(true);
    tf.dispose([x, expected, actual]);
    model.dispose();
  });
});

describe("modelSummary", () => {
  it("modelSummary(model) counts FLOPs as 2 x multiply-accumulates of convolutions and dense layers", () => {
    const input = tf.input({shape: [8, 8, 3]});
    const conv = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: "same", name: "conv"}).apply(input) as tf.SymbolicTensor;
    const pool = tf.layers.maxPooling2d({poolSize: 2, name: "pool"}).apply(conv) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({name: "flat"}).apply(pool) as tf.SymbolicTensor;
    const dense = tf.layers.dense({units: 5, name: "dense"}).apply(flat) as tf.SymbolicTensor;
    const summary = modelSummary(tf.model({inputs: input, outputs: dense}));
    const byName = Object.fromEntries(summary.layers.map((l) => [l.name, l]));
    expect(byName.conv).toMatchObject({type: "Conv2D", outputShape: [8, 8, 4], params: 3 * 3 * 3 * 4 + 4, flops: 2 * 8 * 8 * 4 * 27});
    expect(byName.pool).toMatchObject({outputShape: [4, 4, 4], params: 0, flops: 0, inputs: ["conv"]});
    expect(byName.dense).toMatchObject({params: 64 * 5 + 5, flops: 2 * 64 * 5});
    expect(summary.flops).toBe(2 * 8 * 8 * 4 * 27 + 2 * 64 * 5);
    expect(summary.params).toBe(112 + 325);
    expect(summary.bytes).toBe(4 * 437);
  });
});

describe("Random", () => {
  it("Random(seed) repeats its sequence for the same seed and resumes from its state", () => {
    const a = new Random(42);
    const b = new Random(42);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    const resumed = new Random(0);
    resumed.state = a.state;
    expect(resumed.next()).toBe(a.next());
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 3));
  });

  it("Random.beta(alpha, alpha) stays in (0, 1) with mean near 1/2", () => {
    const random = new Random(3);
    const samples = Array.from({length: 2000}, () => random.beta(0.4, 0.4));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1);
    expect(samples.reduce((a, b) => a + b, 0) / samples.length).toBeCloseTo(0.5, 1);
  });
});
