// Pure helpers behind the report's model pages (architecture, training, metrics) and the index's model
// comparison: the shapes of what their loaders write, and the small computations made on them, so the
// Node loaders and the browser pages share one definition. No I/O, no tfjs, no DOM.
// Imports use ".js": pages import this module, and Framework 1.13 serves TypeScript under a .js name.

import {NUM_CLASSES, type Emotion} from "./labels.js";
import {scheduledLr} from "./schedule.js";
import type {EpochRecord, Evaluation, EvaluationSplit, History, ModelCalibration, ModelMetadata} from "./model-folder.js";
import type {LayerSummary} from "./models/summary.js";
import type {SplitEvaluation} from "./evaluation.js";

/** The epoch whose weights were shipped: history.bestEpoch, else the best PublicTest accuracy. */
export function selectedEpoch(history: History): EpochRecord | null {
  if (history.epochs.length === 0) return null;
  const named = history.epochs.find((record) => record.epoch === history.bestEpoch);
  if (named) return named;
  return history.epochs.reduce((best, record) => (record.publicTestAccuracy > best.publicTestAccuracy ? record : best));
}

export interface LearningRatePoint {
  /** Epochs completed, fractional (0 = the first step). */
  epoch: number;
  lr: number;
}

/**
 * The learning rate over a run, as the trainer set it: step-based schedules (one-cycle, cosine) sampled
 * with the trainer's own function and step count; per-epoch ones (plateau, constant) from the history.
 */
export function learningRateCurve(metadata: ModelMetadata, history: History, {points = 240}: {points?: number} = {}): LearningRatePoint[] {
  const {training} = metadata;
  const stepsPerEpoch = Math.floor(metadata.dataset.trainingImages / training.batch);
  const epochsRun = history.epochs.length;
  if (epochsRun === 0) return [];
  if ((training.schedule === "onecycle" || training.schedule === "cosine") && stepsPerEpoch > 0) {
    const totalSteps = stepsPerEpoch * training.epochs;
    const lastStep = stepsPerEpoch * epochsRun - 1;
    const stride = Math.max(1, Math.ceil(lastStep / points));
    const steps: number[] = [];
    for (let step = 0; step < lastStep; step += stride) steps.push(step);
    steps.push(lastStep);
    return steps.map((step) => ({epoch: step / stepsPerEpoch, lr: scheduledLr(training.schedule, step, {maxLr: training.lr, totalSteps})}));
  }
  return history.epochs.flatMap((record) => [
    {epoch: record.epoch - 1, lr: record.lr},
    {epoch: record.epoch, lr: record.lr}
  ]);
}

/** Each row divided by its sum (a row of zeros stays zeros): recall on the diagonal. */
export function rowNormalize(matrix: number[][]): number[][] {
  return matrix.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((value) => (sum ? value / sum : 0));
  });
}

/**
 * For each confusion-matrix cell [true][predicted], the positions (into `labels`) of its faces, most
 * confident first (by the predicted class's probability), at most `perCell` of them.
 */
export function confidentCellFaces(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  {perCell = 24, classes = NUM_CLASSES}: {perCell?: number; classes?: number} = {}
): number[][][] {
  if (probabilities.length !== labels.length * classes) {
    throw new Error(`confidentCellFaces: expected ${labels.length * classes} probabilities, got ${probabilities.length}`);
  }
  const cells: {position: number; confidence: number}[][][] = Array.from({length: classes}, () => Array.from({length: classes}, () => []));
  for (let i = 0; i < labels.length; i++) {
    let predicted = 0;
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k] > probabilities[i * classes + predicted]) predicted = k;
    cells[labels[i]][predicted].push({position: i, confidence: probabilities[i * classes + predicted]});
  }
  return cells.map((row) =>
    row.map((cell) =>
      cell
        .sort((a, b) => b.confidence - a.confidence || a.position - b.position)
        .slice(0, perCell)
        .map((entry) => entry.position)
    )
  );
}

/** One face shown in a confusion-matrix cell: its tile in the split's sprite and the model's probabilities. */
export interface CellFace {
  /** Index into the split's face table (EvaluatedSplitFaces.faces). */
  face: number;
  /** Seven probabilities in EMOTIONS order, rounded. */
  p: number[];
}

/** A test face on a split's sprite sheet. */
export interface SpriteFace {
  id: string;
  label: number;
  x: number;
  y: number;
}

export interface EvaluatedSplitFaces {
  faces: SpriteFace[];
  width: number;
  height: number;
  tileSize: number;
}

/** The most confident wrong predictions among the faces kept per cell: the worst first. */
export function mostConfidentMistakes(cells: CellFace[][][], {limit = 24}: {limit?: number} = {}): (CellFace & {label: number; predicted: number; confidence: number})[] {
  const mistakes = cells.flatMap((row, label) =>
    row.flatMap((cell, predicted) => (label === predicted ? [] : cell.map((face) => ({...face, label, predicted, confidence: face.p[predicted]}))))
  );
  return mistakes.sort((a, b) => b.confidence - a.confidence || a.face - b.face).slice(0, limit);
}

/** The layer whose output stands for each convolution block ("block3_..."): its last layer with a feature map. */
export interface BlockOutput {
  block: string;
  layer: string;
  /** [height, width, channels]. */
  shape: number[];
}

const NOT_A_BLOCK_OUTPUT = new Set(["MaxPooling2D", "AveragePooling2D", "Dropout", "SpatialDropout2D"]);

/**
 * The activations worth showing: per `blockN_` name prefix, the last layer producing a 3-D feature map
 * before pooling or dropout (the block's final activation). Layers not named by block are left out.
 */
export function convBlockOutputs(layers: Pick<LayerSummary, "name" | "type" | "outputShape">[]): BlockOutput[] {
  const blocks = new Map<string, BlockOutput>();
  for (const layer of layers) {
    const match = /^(block\d+)_/.exec(layer.name);
    if (!match || layer.outputShape.length !== 3 || NOT_A_BLOCK_OUTPUT.has(layer.type)) continue;
    blocks.set(match[1], {block: match[1], layer: layer.name, shape: [...layer.outputShape]});
  }
  return [...blocks.values()];
}

/** What the metrics page reads per model (model-evaluations/evaluations.json). */
export interface ModelEvaluationReport {
  name: string;
  isDefault: boolean;
  /** The architecture, or "ensemble" (then `members` names the models whose probabilities it averages). */
  architecture: string;
  members?: string[];
  /** null when there is neither the dataset nor a committed evaluation.json. */
  evaluation: Pick<Evaluation, "splits" | "flipTta" | "cropsTta" | "backend" | "createdAt" | "temperature"> | null;
  /** The temperature scaling its probabilities carry (metadata.json's, or the ensemble's in models.json); null for none. */
  calibration: ModelCalibration | null;
  /** "fer2013": computed at build time from the dataset; "committed": read from evaluation.json. */
  source: "fer2013" | "committed" | "none";
  /** Faces kept per confusion-matrix cell, per split; null without the dataset. */
  cells: Record<EvaluationSplit, CellFace[][][]> | null;
}

export interface ModelEvaluationsReport {
  facesAvailable: boolean;
  /** Wall time of running every model over both test splits, when the dataset was there. */
  seconds: number | null;
  backend: string | null;
  perCell: number;
  splits: Record<EvaluationSplit, EvaluatedSplitFaces>;
  models: ModelEvaluationReport[];
}

/** One row of the index's headline comparison (model-evaluations/summary.json). */
export interface ModelSummaryRow {
  name: string;
  isDefault: boolean;
  params: number;
  flops: number;
  /** Bytes of the shipped weight files. */
  weightBytes: number;
  secondsTrained: number;
  epochsRun: number;
  privateTest: Headline | null;
  publicTest: Headline | null;
  /** With flip test-time augmentation, when the committed evaluation has it. */
  privateTestFlip: Headline | null;
  /** Median time of one face through the model on the build machine (batch of 1). */
  latencyMs: number | null;
  latencyBackend: string | null;
  /** An ensemble's members (its parameters, FLOPs, weights, training time and latency are their sums); null for one model. */
  members: string[] | null;
}

export interface Headline {
  accuracy: number;
  top2Accuracy: number;
  macroF1: number;
  ece: number;
}

export function headline(evaluation: SplitEvaluation | undefined | null): Headline | null {
  if (!evaluation) return null;
  return {accuracy: evaluation.accuracy, top2Accuracy: evaluation.top2Accuracy, macroF1: evaluation.macroF1, ece: evaluation.ece};
}

/** Published FER2013 results the report compares against, and two peers measured on PrivateTest with their own preprocessing. */
export interface PublishedResult {
  name: string;
  accuracy: number;
  params: number | null;
  note: string;
}

export const PUBLISHED_RESULTS: readonly PublishedResult[] = [
  {name: "Original Keras project (VGG-style)", accuracy: 0.65, params: 5.1e6, note: "claimed on a random 80/20 split of the training rows, not the official test split"},
  {name: "mini-Xception (Arriaga et al.)", accuracy: 0.66, params: 6e4, note: "selected on the test rows"},
  {name: "TinyFER-Lite", accuracy: 0.6707, params: 9.3e5, note: "selected on a validation split"},
  {name: "face-api.js FaceExpressionNet", accuracy: 0.588, params: null, note: "measured on PrivateTest with this project's evaluation (npx tsx tools/evaluate-face-api.ts); 112x112 RGB input, trained on other data"},
  {name: "@vladmandic/human emotion (mini-Xception)", accuracy: 0.668, params: 2.05e5, note: "measured on PrivateTest with its own 64x64 grey preprocessing; its training validated on the test rows, so optimistic"}
];

/** Per-class recall, for charts that want a plain list. */
export function recallByClass(evaluation: SplitEvaluation): {emotion: Emotion; recall: number}[] {
  return (Object.entries(evaluation.perClass) as [Emotion, {recall: number}][]).map(([emotion, metrics]) => ({emotion, recall: metrics.recall}));
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)}k`;
  return String(n);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes >= 10 * 1024 * 1024 ? 1 : 2)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${bytes} B`;
}

export function formatFlops(flops: number): string {
  if (flops >= 1e9) return `${(flops / 1e9).toFixed(2)} GFLOPs`;
  if (flops >= 1e6) return `${(flops / 1e6).toFixed(flops >= 1e8 ? 0 : 1)} MFLOPs`;
  if (flops >= 1e3) return `${(flops / 1e3).toFixed(1)} kFLOPs`;
  return `${flops} FLOPs`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export function formatPercent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A difference of two accuracies in percentage points, always signed: "+0.47", "−1.10". */
export function formatPoints(x: number, digits = 1): string {
  return `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(digits)}`;
}

/** The test-time options of `npm run evaluate`: views averaged per face, and the flag that measures them. */
export const TEST_TIME_OPTIONS = [
  {key: "none", label: "none", views: 1, flag: ""},
  {key: "flip", label: "flip", views: 2, flag: "--tta"},
  {key: "crops", label: "ten views", views: 10, flag: "--crops"}
] as const;

export type TestTimeKey = (typeof TEST_TIME_OPTIONS)[number]["key"];

export interface TestTimeRow {
  name: string;
  isDefault: boolean;
  /** Per option: the split's metrics under it (null when not measured) and its cost in network passes per face. */
  options: Record<TestTimeKey, {accuracy: number; macroF1: number; passes: number} | null>;
}

/**
 * Each evaluated model's accuracy on `split` under each test-time option, with its cost in passes per face
 * (an ensemble pays each view once per member).
 */
export function testTimeRows(models: readonly ModelEvaluationReport[], split: EvaluationSplit): TestTimeRow[] {
  return models
    .filter((m) => m.evaluation)
    .map((m) => {
      const e = m.evaluation!;
      const bySource: Record<TestTimeKey, SplitEvaluation | undefined> = {none: e.splits[split], flip: e.flipTta?.[split], crops: e.cropsTta?.[split]};
      const members = m.members?.length ?? 1;
      const options = Object.fromEntries(
        TEST_TIME_OPTIONS.map(({key, views}) => {
          const metrics = bySource[key];
          return [key, metrics ? {accuracy: metrics.accuracy, macroF1: metrics.macroF1, passes: views * members} : null];
        })
      ) as TestTimeRow["options"];
      return {name: m.name, isDefault: m.isDefault, options};
    });
}

/** One evaluated model's plain accuracy on both test splits. */
export interface SplitPair {
  name: string;
  isDefault: boolean;
  ensemble: boolean;
  publicTest: number;
  privateTest: number;
}

/**
 * How FER2013's two test splits agree over the evaluated models: each model's plain accuracy on both, the
 * mean and standard deviation over models of (PrivateTest - PublicTest), and how many read higher on
 * PrivateTest. Null with fewer than two evaluated models.
 */
export function splitAgreement(models: readonly ModelEvaluationReport[]): {pairs: SplitPair[]; meanGap: number; sdGap: number; privateHigher: number} | null {
  const pairs = models
    .filter((m) => m.evaluation?.splits.PublicTest && m.evaluation.splits.PrivateTest)
    .map((m) => ({
      name: m.name,
      isDefault: m.isDefault,
      ensemble: Boolean(m.members?.length),
      publicTest: m.evaluation!.splits.PublicTest.accuracy,
      privateTest: m.evaluation!.splits.PrivateTest.accuracy
    }));
  if (pairs.length < 2) return null;
  const gaps = pairs.map((p) => p.privateTest - p.publicTest);
  const meanGap = gaps.reduce((sum, g) => sum + g, 0) / gaps.length;
  const sdGap = Math.sqrt(gaps.reduce((sum, g) => sum + (g - meanGap) ** 2, 0) / (gaps.length - 1));
  return {pairs, meanGap, sdGap, privateHigher: gaps.filter((g) => g > 0).length};
}
