// "Tune it to me", from captured faces to a personal model, in two steps measured on `npm run bench -- personal`:
// 1. the network's batch-norm statistics are re-estimated on the reader's own faces (AdaBN: no labels needed),
//    which undoes most of what is constant in how their faces look (light, contrast, framing, camera);
// 2. the last layer is re-fitted to their labelled faces (personal-head.ts).
// One in four faces of each expression is held back: it takes part in neither step and checks the result.
// Training faces count with their mirror image and two small shifts. tfjs is passed in (the page's, or
// Node's for tests); the model comes from its artifacts, so the shipped one in the page stays untouched.

import type * as TF from "@tensorflow/tfjs";
import {warpFace} from "./augment.js";
import {IMAGE_PIXELS, IMAGE_SIZE} from "./dataset.js";
import {foldBatchNorm} from "./fold-batch-norm.js";
import {modelFromArtifacts} from "./model-artifacts.js";
import {headLogits, heldOutMask, tuneHead, type LinearHead, type TuneOptions} from "./personal-head.js";

/** One batch-norm layer's statistics as re-estimated on a reader's faces. */
export interface NormStats {
  layer: string;
  mean: number[];
  variance: number[];
}

/** A face's training views: itself, mirrored, and shifted two pixels each way. */
export function trainingViews(input: Float32Array): Float32Array[] {
  const views = [input];
  for (const warp of [{flip: true, dx: 0, dy: 0}, {flip: false, dx: 2, dy: 1}, {flip: true, dx: -2, dy: -1}]) {
    const out = new Float32Array(IMAGE_PIXELS);
    warpFace(input, out, {...warp, angle: 0, zoom: 1});
    views.push(out);
  }
  return views;
}

function batchOf(tf: typeof TF, inputs: Float32Array[]): TF.Tensor4D {
  const batch = new Float32Array(inputs.length * IMAGE_PIXELS);
  inputs.forEach((input, i) => batch.set(input, i * IMAGE_PIXELS));
  return tf.tensor4d(batch, [inputs.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/** Each batch-norm layer's input mean and variance per channel over `inputs`, layer by layer (later layers see the earlier ones re-normalised). */
export function batchNormStats(tf: typeof TF, model: TF.LayersModel, inputs: Float32Array[]): NormStats[] {
  const stats: NormStats[] = [];
  const batch = batchOf(tf, inputs);
  try {
    for (const layer of model.layers) {
      if (layer.getClassName() !== "BatchNormalization") continue;
      const {mean, variance} = tf.tidy(() => {
        const upTo = tf.model({inputs: model.inputs, outputs: layer.input as TF.SymbolicTensor});
        const moments = tf.moments(upTo.predict(batch) as TF.Tensor, [0, 1, 2]);
        return {mean: moments.mean, variance: moments.variance};
      });
      const entry = {layer: layer.name, mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync())};
      const [gamma, beta, , ] = layer.getWeights();
      layer.setWeights([gamma, beta, mean, variance]);
      tf.dispose([mean, variance]);
      stats.push(entry);
    }
  } finally {
    batch.dispose();
  }
  return stats;
}

/** Sets `model`'s batch-norm moving statistics to `stats` (by layer name); throws when a layer is missing or its size differs. */
export function applyNormStats(tf: typeof TF, model: TF.LayersModel, stats: NormStats[]): void {
  for (const {layer: name, mean, variance} of stats) {
    const layer = model.getLayer(name);
    const [gamma, beta, movingMean] = layer.getWeights();
    if (movingMean.size !== mean.length || variance.length !== mean.length) throw new Error(`personal statistics for ${name} have ${mean.length} channels, the layer ${movingMean.size}`);
    const [m, v] = [tf.tensor1d(mean), tf.tensor1d(variance)];
    layer.setWeights([gamma, beta, m, v]);
    tf.dispose([m, v]);
  }
}

/** A network ready to read faces: batch norms folded; its penultimate features and its last layer. */
export interface FeatureNetwork {
  model: TF.LayersModel;
  head: LinearHead;
  features(inputs: Float32Array[]): Float32Array;
  dispose(): void;
}

/** The shipped network, optionally with a reader's batch-norm statistics, folded for inference. */
export async function featureNetwork(tf: typeof TF, artifacts: {modelJson: TF.io.ModelJSON; weightData: ArrayBuffer}, stats: NormStats[] | null = null): Promise<FeatureNetwork> {
  const trained = await modelFromArtifacts(tf, artifacts);
  if (stats) applyNormStats(tf, trained, stats);
  const model = foldBatchNorm(tf, trained);
  const last = model.layers[model.layers.length - 1];
  const featureModel = tf.model({inputs: model.inputs, outputs: last.input as TF.SymbolicTensor});
  const [kernel, bias] = last.getWeights();
  const head: LinearHead = {inputs: kernel.shape[0] as number, classes: kernel.shape[1] as number, kernel: kernel.dataSync() as Float32Array, bias: bias.dataSync() as Float32Array};
  return {
    model,
    head,
    features(inputs) {
      const output = tf.tidy(() => featureModel.predict(batchOf(tf, inputs)) as TF.Tensor);
      const read = output.dataSync() as Float32Array;
      output.dispose();
      return read;
    },
    dispose() {
      if (model !== trained) model.dispose();
      trained.dispose();
    }
  };
}

export interface PersonalTuning {
  stats: NormStats[];
  head: LinearHead;
  /** Held-out accuracy of the shipped model and of the personal one, on the same faces; null with none held out. */
  before: number | null;
  after: number | null;
  trained: number;
  heldOut: number;
  steps: number;
}

function accuracyOf(head: LinearHead, features: Float32Array, labels: number[]): number {
  const logits = headLogits(head, features);
  let correct = 0;
  labels.forEach((label, r) => {
    const row = logits.subarray(r * head.classes, (r + 1) * head.classes);
    if (row.indexOf(Math.max(...row)) === label) correct++;
  });
  return labels.length ? correct / labels.length : 0;
}

/** Both steps on captured faces; `artifacts` is the shipped model (model.json and its weight bytes). */
export async function tunePersonal(
  tf: typeof TF,
  artifacts: {modelJson: TF.io.ModelJSON; weightData: ArrayBuffer},
  faces: {input: Float32Array; label: number}[],
  options: TuneOptions
): Promise<PersonalTuning> {
  const labels = faces.map((face) => face.label);
  const held = heldOutMask(labels);
  const train = faces.filter((_, i) => !held[i]);
  const heldOut = faces.filter((_, i) => held[i]);
  const shipped = await featureNetwork(tf, artifacts);
  let adapted: FeatureNetwork | null = null;
  try {
    const heldInputs = heldOut.map((face) => face.input);
    const heldLabels = heldOut.map((face) => face.label);
    const before = heldOut.length ? accuracyOf(shipped.head, shipped.features(heldInputs), heldLabels) : null;
    const scratch = await modelFromArtifacts(tf, artifacts);
    const stats = batchNormStats(tf, scratch, train.map((face) => face.input));
    scratch.dispose();
    adapted = await featureNetwork(tf, artifacts, stats);
    const views = train.map((face) => trainingViews(face.input));
    const result = tuneHead(
      shipped.head,
      {
        trainFeatures: adapted.features(views.flat()),
        trainLabels: train.flatMap((face, i) => views[i].map(() => face.label)),
        heldOutFeatures: heldOut.length ? adapted.features(heldInputs) : new Float32Array(0),
        heldOutLabels: heldLabels
      },
      options
    );
    return {stats, head: result.head, before, after: result.after, trained: result.trained, heldOut: heldOut.length, steps: result.steps};
  } finally {
    shipped.dispose();
    adapted?.dispose();
  }
}
