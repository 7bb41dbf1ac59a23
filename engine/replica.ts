// One copy of the model with its loss and optimizer: computes the gradient of a shard into a flat array and
// applies a flat (averaged) gradient. The in-process trainer uses one; each parallel worker holds one.
import * as tf from "@tensorflow/tfjs";
import path from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";
import {heapView} from "./wasm-heap.js";
import {fuseBatchNormRelu} from "./batch-norm.js";
import {loadNativeAddon} from "./native-build.js";
import {nativeKernelsRegistered} from "./native-kernels.js";
import {createFlatOptimizer, kernelRanges, type FlatOptimizer, type OptimizerConfig, type OptimizerState} from "./optimizers.js";

export interface ModelSource {
  /** Factory arguments: factory(name, options). */
  name: string;
  options?: unknown;
  /** File path (or file: URL) of the module exporting the factory; default src/lib/models/index.ts. */
  module?: string;
  /** Export holding the factory; default "createModel". */
  exportName?: string;
}

export interface LossConfig {
  /** Targets become t * (1 - s) + s / classes. Default 0. */
  labelSmoothing?: number;
  /** Per-class loss weights (Keras class_weight): each sample's loss is scaled by its class's weight. */
  classWeights?: number[];
  /** Set when the model's last layer is linear; predictions are then softmaxed. Default false. */
  fromLogits?: boolean;
  /**
   * Knowledge distillation as Hinton et al. (2015) wrote it: each sample's targets are 2 x numClasses values,
   * its label's (smoothed, maybe mixed) then the teachers' probabilities at `temperature`, and its loss is
   * (1 - weight) x CE(label, softmax(z)) + weight x T^2 x CE(teachers, softmax(z / T)), z the model's logits
   * (the log of its probabilities). T^2 keeps the soft term's gradients the size of the hard term's. Absent:
   * targets are numClasses values and the loss is CE(targets, softmax(z)).
   */
  distillation?: {weight: number; temperature: number};
}

export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface ShardStats {
  /** Sum over the shard of each sample's (weighted) loss. */
  lossSum: number;
  /** Samples whose top prediction is the target's top class. */
  correct: number;
}

export const DEFAULT_MODEL_MODULE = fileURLToPath(new URL("../src/lib/models/index.ts", import.meta.url));

const PROBABILITY_FLOOR = 1e-7;

/** A deterministic Math.random replacement: tfjs draws its initializer and dropout seeds from Math.random. */
export function seededRandom(seed: number): () => number {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function loadModelFactory(source: ModelSource): Promise<(name: string, options?: unknown) => unknown> {
  const modulePath = source.module ?? DEFAULT_MODEL_MODULE;
  const url = modulePath.startsWith("file:") ? modulePath : pathToFileURL(path.resolve(modulePath)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(url);
  } catch (error) {
    throw new Error(`cannot load model module ${modulePath}: ${(error as Error).message}`);
  }
  const exportName = source.exportName ?? "createModel";
  const factory = loaded[exportName];
  if (typeof factory !== "function") throw new Error(`model module ${modulePath} has no function export ${exportName}`);
  return factory as (name: string, options?: unknown) => unknown;
}

export class Replica {
  readonly model: tf.LayersModel;
  readonly inputShape: number[];
  readonly inputSize: number;
  readonly numClasses: number;
  /** Target values per sample: numClasses, or 2 x numClasses with loss.distillation (label, then teachers). */
  readonly targetWidth: number;
  readonly parameterCount: number;
  private readonly trainable: tf.Variable[];
  private readonly optimizer: FlatOptimizer;
  private readonly loss: Required<Omit<LossConfig, "classWeights" | "distillation">> & {classWeights: Float32Array | null; distillation: {weight: number; temperature: number} | null};
  /** The replica's seed: weights are initialized from it, and each step's dropout from (seed, step). */
  private readonly seed: number | null;
  /** Trainable parameters, authoritative between steps; the variables are refreshed from it. */
  private readonly params: Float32Array;

  private constructor(options: {model: tf.LayersModel; optimizer: OptimizerConfig; loss: LossConfig; seed: number | null}) {
    const {model} = options;
    this.model = model;
    // Training on wasm runs each BatchNorm + ReLU pair as one kernel (batch-norm.ts); a no-op elsewhere.
    fuseBatchNormRelu(model);
    this.seed = options.seed;
    const inputShape = model.inputs[0].shape.slice(1);
    if (inputShape.some((d) => d == null)) throw new Error(`model input shape must be fully defined, got [${model.inputs[0].shape}]`);
    this.inputShape = inputShape as number[];
    this.inputSize = this.inputShape.reduce((a, b) => a * b, 1);
    const classes = model.outputs[0].shape[model.outputs[0].shape.length - 1];
    if (classes == null) throw new Error("model output must have a defined class dimension");
    this.numClasses = classes;
    this.trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.parameterCount = this.trainable.reduce((sum, v) => sum + v.size, 0);
    this.params = new Float32Array(this.parameterCount);
    this.readParams();
    // The native Adam step comes with the addon, when this thread runs the native kernels.
    const addon = tf.getBackend() === "wasm" && nativeKernelsRegistered() ? loadNativeAddon({build: false}) : null;
    const decayed = options.optimizer.weightDecayScope === "kernels" ? kernelRanges(this.trainable.map((v) => v.shape)) : undefined;
    this.optimizer = createFlatOptimizer(options.optimizer, this.parameterCount, {nativeAdam: addon?.adam, decayed});
    const classWeights = options.loss.classWeights ?? null;
    if (classWeights != null && classWeights.length !== this.numClasses) {
      throw new Error(`classWeights has ${classWeights.length} values, expected one per class (${this.numClasses})`);
    }
    const labelSmoothing = options.loss.labelSmoothing ?? 0;
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new Error(`labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
    const distillation = options.loss.distillation ?? null;
    if (distillation != null) {
      const {weight, temperature} = distillation;
      if (!(weight >= 0 && weight <= 1)) throw new Error(`distillation.weight must be in [0, 1], got ${weight}`);
      if (!(temperature > 0 && Number.isFinite(temperature))) throw new Error(`distillation.temperature must be a positive number, got ${temperature}`);
    }
    this.targetWidth = distillation ? 2 * this.numClasses : this.numClasses;
    this.loss = {
      labelSmoothing,
      fromLogits: options.loss.fromLogits ?? false,
      classWeights: classWeights == null ? null : Float32Array.from(classWeights),
      distillation: distillation == null ? null : {...distillation}
    };
  }

  static async create(options: {model: ModelSource; optimizer: OptimizerConfig; loss?: LossConfig; seed?: number}): Promise<Replica> {
    const factory = await loadModelFactory(options.model);
    const random = options.seed == null ? null : seededRandom(options.seed);
    const model = await withRandom(random, () => factory(options.model.name, options.model.options));
    if (!(model instanceof tf.LayersModel)) {
      throw new Error(`model factory for ${options.model.name} did not return a tf.LayersModel`);
    }
    return new Replica({model, optimizer: options.optimizer, loss: options.loss ?? {}, seed: options.seed ?? null});
  }

  /**
   * Writes scale * (gradient of the mean loss over the shard) into `into` (parameterCount values) and
   * returns the shard's loss sum and hits. Moving BatchNorm statistics update as a side effect.
   */
  computeGradients(shard: {xs: Float32Array; targets: Float32Array; sampleWeights: Float32Array | null; count: number; scale: number; into: Float32Array}): ShardStats {
    const {xs, targets, sampleWeights, count, scale, into} = shard;
    if (count === 0) {
      into.fill(0);
      return {lossSum: 0, correct: 0};
    }
    // A fresh stream per step, derived from (seed, step): a run resumed from a checkpoint draws the same
    // dropout masks as the uninterrupted run would have.
    const random = this.seed == null ? null : seededRandom((this.seed ^ Math.imul(this.optimizer.iterations() + 1, 0x9e3779b1)) >>> 0);
    return withRandomSync(random, () => {
      let correct = 0;
      let lossSum = 0;
      tf.tidy(() => {
        const x = tf.tensor(xs.subarray(0, count * this.inputSize), [count, ...this.inputShape]);
        const t = tf.tensor2d(targets.subarray(0, count * this.targetWidth), [count, this.targetWidth]);
        const w = this.sampleWeightsOf(targets, sampleWeights, count);
        const kept: {hits?: tf.Tensor} = {};
        const {value, grads} = tf.variableGrads(() => {
          const output = this.model.apply(x, {training: true}) as tf.Tensor2D;
          const labels = this.targetWidth === this.numClasses ? t : t.slice([0, 0], [count, this.numClasses]);
          kept.hits = tf.keep(tf.equal(tf.argMax(output, 1), tf.argMax(labels, 1)).sum());
          const perSample = this.perSampleLoss(output, t);
          return (w == null ? perSample : perSample.mul(w)).mean() as tf.Scalar;
        }, this.trainable);
        lossSum = value.dataSync()[0] * count;
        correct = kept.hits!.dataSync()[0];
        kept.hits!.dispose();
        let offset = 0;
        const wasm = tf.getBackend() === "wasm" ? (tf.engine().backend as unknown as BackendWasm) : null;
        for (const variable of this.trainable) {
          const gradient = grads[variable.name];
          const values = wasm != null ? heapView(wasm, gradient) : (gradient.dataSync() as Float32Array);
          if (scale === 1) into.set(values, offset);
          else for (let i = 0; i < values.length; i++) into[offset + i] = values[i] * scale;
          offset += values.length;
        }
      });
      return {lossSum, correct};
    });
  }

  /** Applies a gradient (already averaged over the whole batch) and refreshes the model's variables. */
  applyGradients(gradient: Float32Array, learningRate?: number): void {
    this.optimizer.apply(this.params, gradient, learningRate);
    this.writeParams();
  }

  /** Class probabilities for `count` images, written into `into` (count * numClasses). */
  predict(xs: Float32Array, count: number, into: Float32Array, batchSize = 256): void {
    for (let start = 0; start < count; start += batchSize) {
      const size = Math.min(batchSize, count - start);
      tf.tidy(() => {
        const x = tf.tensor(xs.subarray(start * this.inputSize, (start + size) * this.inputSize), [size, ...this.inputShape]);
        let output = this.model.apply(x, {training: false}) as tf.Tensor;
        if (this.loss.fromLogits) output = tf.softmax(output);
        into.set(output.dataSync() as Float32Array, start * this.numClasses);
      });
    }
  }

  weightSpecs(): {name: string; shape: number[]; trainable: boolean}[] {
    return this.model.weights.map((w) => ({name: w.originalName, shape: w.shape as number[], trainable: w.trainable}));
  }

  getWeights(): NamedTensor[] {
    return this.model.weights.map((w) => ({
      name: w.originalName,
      shape: w.shape as number[],
      values: (w.read().dataSync() as Float32Array).slice()
    }));
  }

  /** Sets weights in model.weights order (shapes must match); `onlyNonTrainable` skips trainable ones. */
  setWeights(values: Float32Array[], {onlyNonTrainable = false}: {onlyNonTrainable?: boolean} = {}): void {
    const weights = this.model.weights;
    if (values.length !== weights.length) throw new Error(`setWeights got ${values.length} arrays, the model has ${weights.length} weights`);
    tf.tidy(() => {
      weights.forEach((w, i) => {
        if (onlyNonTrainable && w.trainable) return;
        const size = w.shape.reduce((a: number, b) => a * (b as number), 1);
        if (values[i].length !== size) throw new Error(`weight ${w.originalName} needs ${size} values, got ${values[i].length}`);
        w.write(tf.tensor(values[i].slice(), w.shape as number[]));
      });
    });
    if (!onlyNonTrainable) this.readParams();
  }

  getOptimizerState(): OptimizerState {
    return this.optimizer.getState();
  }

  setOptimizerState(state: OptimizerState): void {
    this.optimizer.setState(state);
  }

  dispose(): void {
    this.model.dispose();
  }

  private sampleWeightsOf(targets: Float32Array, sampleWeights: Float32Array | null, count: number): tf.Tensor1D | null {
    const classWeights = this.loss.classWeights;
    if (classWeights == null && sampleWeights == null) return null;
    const weights = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let weight = 1;
      if (classWeights != null) {
        // Soft targets (mixup) weigh each class by its share (of the label's part, with distillation).
        weight = 0;
        for (let c = 0; c < this.numClasses; c++) weight += targets[i * this.targetWidth + c] * classWeights[c];
      }
      weights[i] = sampleWeights == null ? weight : weight * sampleWeights[i];
    }
    return tf.tensor1d(weights);
  }

  private perSampleLoss(output: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
    const smoothing = this.loss.labelSmoothing;
    const distillation = this.loss.distillation;
    const count = targets.shape[0];
    const labels = distillation ? targets.slice([0, 0], [count, this.numClasses]) : targets;
    const smoothed = smoothing > 0 ? labels.mul(1 - smoothing).add(smoothing / this.numClasses) : labels;
    // The logits up to a constant per row, which no softmax sees.
    const logProbabilities = this.loss.fromLogits
      ? tf.logSoftmax(output)
      : tf.log(tf.clipByValue(output, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR));
    const hard = smoothed.mul(logProbabilities).sum(1).neg() as tf.Tensor1D;
    if (!distillation) return hard;
    const {weight, temperature} = distillation;
    const teachers = targets.slice([0, this.numClasses], [count, this.numClasses]);
    const soft = teachers.mul(tf.logSoftmax(logProbabilities.div(temperature))).sum(1).neg();
    return hard.mul(1 - weight).add(soft.mul(weight * temperature * temperature)) as tf.Tensor1D;
  }

  private readParams(): void {
    let offset = 0;
    for (const variable of this.trainable) {
      this.params.set(variable.dataSync() as Float32Array, offset);
      offset += variable.size;
    }
  }

  private writeParams(): void {
    // Always new tensors, never writes into a variable's memory: XNNPACK kernels (depthwise and dense
    // convolutions on wasm) cache weights packed at first use, keyed by the tensor, and would go stale.
    const copy = tf.getBackend() !== "wasm"; // the cpu backend would keep our array as the variable's storage
    let offset = 0;
    for (const variable of this.trainable) {
      const size = variable.size;
      const values = this.params.subarray(offset, offset + size);
      tf.tidy(() => variable.assign(tf.tensor(copy ? values.slice() : values, variable.shape)));
      offset += size;
    }
  }
}

function withRandomSync<T>(random: (() => number) | null, run: () => T): T {
  if (random == null) return run();
  const original = Math.random;
  Math.random = random;
  try {
    return run();
  } finally {
    Math.random = original;
  }
}

async function withRandom<T>(random: (() => number) | null, run: () => T | Promise<T>): Promise<T> {
  if (random == null) return run();
  const original = Math.random;
  Math.random = random;
  try {
    return await run();
  } finally {
    Math.random = original;
  }
}
