// "Tune it to me": the classifier adapted to one reader's face, on their own device. The network is kept as it
// is; only its last layer, a linear map from the penultimate features (the global average pool) to the seven
// logits, is re-fitted to the reader's captured faces: full-batch gradient descent on the cross-entropy, pulled
// towards the shipped layer (an L2 penalty on the difference) so that little data cannot undo it, and stopped
// early on a held-out share of the captured faces. Plain arithmetic on small arrays (features x 7 numbers):
// deterministic, a few milliseconds, the same in Node and in the page. The features come from the model
// (the classifier's engine); this module never sees a picture.

export interface LinearHead {
  /** Feature count (the penultimate layer's width). */
  inputs: number;
  classes: number;
  /** inputs x classes, row-major: kernel[i * classes + k], as tfjs stores a Dense kernel. */
  kernel: Float32Array;
  bias: Float32Array;
}

export interface TuneOptions {
  /** The tuned classes: the reader's captured expressions (the others keep the shipped layer's behaviour, mostly). */
  classes: number[];
  /** Pull towards the shipped layer: loss + penalty / 2 x ||W - W0||^2 (per feature-class weight). */
  penalty?: number;
  learningRate?: number;
  maxSteps?: number;
  /** Steps between held-out checks; training stops after `patience` checks without a better held-out loss. */
  checkEvery?: number;
  patience?: number;
}

export interface TuneResult {
  head: LinearHead;
  /** Held-out accuracy of the shipped layer and of the tuned one, on the same faces; null with no held-out face. */
  before: number | null;
  after: number | null;
  steps: number;
  heldOut: number;
  trained: number;
}

/** Logits, N x classes, of N feature rows. */
export function headLogits(head: LinearHead, features: Float32Array): Float32Array {
  const {inputs, classes, kernel, bias} = head;
  const n = features.length / inputs;
  if (!Number.isInteger(n)) throw new Error(`headLogits: ${features.length} features are not rows of ${inputs}`);
  const out = new Float32Array(n * classes);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < classes; k++) out[r * classes + k] = bias[k];
    for (let i = 0; i < inputs; i++) {
      const f = features[r * inputs + i];
      if (f === 0) continue;
      for (let k = 0; k < classes; k++) out[r * classes + k] += f * kernel[i * classes + k];
    }
  }
  return out;
}

function softmaxInPlace(row: Float32Array | Float64Array): void {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += row[k] = Math.exp(row[k] - max);
  for (let k = 0; k < row.length; k++) row[k] /= sum;
}

/** Mean cross-entropy of labelled feature rows, and accuracy. */
function score(head: LinearHead, features: Float32Array, labels: ArrayLike<number>): {loss: number; accuracy: number} {
  const logits = headLogits(head, features);
  let loss = 0, correct = 0;
  for (let r = 0; r < labels.length; r++) {
    const row = logits.subarray(r * head.classes, (r + 1) * head.classes);
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
    if (best === labels[r]) correct++;
    softmaxInPlace(row);
    loss -= Math.log(Math.max(row[labels[r]], 1e-12));
  }
  return {loss: loss / Math.max(1, labels.length), accuracy: labels.length ? correct / labels.length : 0};
}

/**
 * Which faces are held out: every `every`-th face of each class, in capture order (so a burst from the camera
 * lends faces to both sides), and at least one face of each class with three or more is kept for training.
 */
export function heldOutMask(labels: ArrayLike<number>, {every = 4}: {every?: number} = {}): boolean[] {
  const seen = new Map<number, number>();
  return Array.from(labels, (label) => {
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    return k % every === every - 1;
  });
}

/**
 * Re-fits the last layer to labelled features. `trainFeatures`/`trainLabels` may hold augmented copies
 * (mirror, shifts); `heldOutFeatures`/`heldOutLabels` are plain captured faces it never trains on.
 */
export function tuneHead(
  base: LinearHead,
  {trainFeatures, trainLabels, heldOutFeatures, heldOutLabels}: {trainFeatures: Float32Array; trainLabels: ArrayLike<number>; heldOutFeatures: Float32Array; heldOutLabels: ArrayLike<number>},
  {classes, penalty = 0.01, learningRate = 0.3, maxSteps = 1000, checkEvery = 10, patience = 5}: TuneOptions
): TuneResult {
  const {inputs, classes: total} = base;
  const n = trainLabels.length;
  if (trainFeatures.length !== n * inputs) throw new Error(`tuneHead: ${trainFeatures.length} features for ${n} faces of ${inputs}`);
  if (new Set(classes).size < 2) throw new Error("tuneHead: tune at least two expressions");
  for (const label of Array.from(trainLabels)) if (!classes.includes(label)) throw new Error(`tuneHead: a face is labelled ${label}, which is not a tuned class (${classes.join(", ")})`);
  const head: LinearHead = {inputs, classes: total, kernel: base.kernel.slice(), bias: base.bias.slice()};
  const hasHeldOut = heldOutLabels.length > 0;
  const before = hasHeldOut ? score(base, heldOutFeatures, heldOutLabels) : null;
  let best = {kernel: head.kernel.slice(), bias: head.bias.slice(), loss: before?.loss ?? Infinity};
  let waited = 0, steps = 0;
  const gradKernel = new Float64Array(inputs * total);
  const gradBias = new Float64Array(total);
  const probabilities = new Float64Array(total);
  for (steps = 1; steps <= maxSteps; steps++) {
    gradKernel.fill(0);
    gradBias.fill(0);
    const logits = headLogits(head, trainFeatures);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < total; k++) probabilities[k] = logits[r * total + k];
      softmaxInPlace(probabilities);
      probabilities[trainLabels[r]] -= 1;
      for (let k = 0; k < total; k++) gradBias[k] += probabilities[k] / n;
      for (let i = 0; i < inputs; i++) {
        const f = trainFeatures[r * inputs + i];
        if (f === 0) continue;
        for (let k = 0; k < total; k++) gradKernel[i * total + k] += (f * probabilities[k]) / n;
      }
    }
    for (let j = 0; j < head.kernel.length; j++) head.kernel[j] -= learningRate * (gradKernel[j] + penalty * (head.kernel[j] - base.kernel[j]));
    for (let k = 0; k < total; k++) head.bias[k] -= learningRate * gradBias[k];
    if (hasHeldOut && steps % checkEvery === 0) {
      const {loss} = score(head, heldOutFeatures, heldOutLabels);
      if (loss < best.loss - 1e-6) (best = {kernel: head.kernel.slice(), bias: head.bias.slice(), loss}), (waited = 0);
      else if (++waited >= patience) break;
    }
  }
  const tuned: LinearHead = hasHeldOut ? {inputs, classes: total, kernel: best.kernel, bias: best.bias} : head;
  return {
    head: tuned,
    before: before?.accuracy ?? null,
    after: hasHeldOut ? score(tuned, heldOutFeatures, heldOutLabels).accuracy : null,
    steps: Math.min(steps, maxSteps),
    heldOut: heldOutLabels.length,
    trained: n
  };
}

/** A personal model as this browser stores it, and as a reader exports and imports it. */
export interface PersonalModel {
  format: "fer-personal/1";
  /** The shipped model it adapts: a personal layer only fits that model's features. */
  model: string;
  createdAt: string;
  classes: number[];
  /** Captured faces per tuned class, and the held-out accuracy before and after tuning. */
  faces: Record<string, number>;
  before: number | null;
  after: number | null;
  /** The network's batch-norm statistics re-estimated on the reader's faces, per layer. */
  normalization: {layer: string; mean: number[]; variance: number[]}[];
  head: {inputs: number; classes: number; kernel: number[]; bias: number[]};
}

/** Checks a parsed personal model file; throws a message a reader can act on. */
export function validatePersonalModel(value: unknown, {model, inputs, classes}: {model: string; inputs: number; classes: number}): PersonalModel {
  const p = value as Partial<PersonalModel> | null;
  if (p == null || typeof p !== "object" || p.format !== "fer-personal/1") throw new Error("this file is not a personal model saved by this page");
  if (p.model !== model) throw new Error(`this personal model adapts ${JSON.stringify(p.model)}, but the page runs ${model}: tune again`);
  const head = p.head;
  if (!head || head.inputs !== inputs || head.classes !== classes || !Array.isArray(head.kernel) || head.kernel.length !== inputs * classes || !Array.isArray(head.bias) || head.bias.length !== classes) {
    throw new Error(`this personal model's layer is not ${inputs} x ${classes}: the file is damaged or from another model`);
  }
  if (![...head.kernel, ...head.bias].every((v) => typeof v === "number" && Number.isFinite(v))) throw new Error("this personal model holds values that are not numbers: the file is damaged");
  const normalization = p.normalization;
  if (!Array.isArray(normalization) || !normalization.every((n) => typeof n?.layer === "string" && Array.isArray(n.mean) && Array.isArray(n.variance) && n.mean.length === n.variance.length && [...n.mean, ...n.variance].every((v) => typeof v === "number" && Number.isFinite(v)) && n.variance.every((v: number) => v >= 0))) {
    throw new Error("this personal model's normalization is missing or damaged");
  }
  return p as PersonalModel;
}

export function headOf(model: PersonalModel): LinearHead {
  return {inputs: model.head.inputs, classes: model.head.classes, kernel: Float32Array.from(model.head.kernel), bias: Float32Array.from(model.head.bias)};
}
