// Classification metrics from predicted class probabilities and true labels: accuracy, top-k,
// per-class precision/recall/F1/support, macro-F1, confusion matrix, and calibration (ECE with bins).
// Probabilities are row-major N x classes; labels are N class indices.

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ReliabilityBin {
  /** Confidence range [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Mean top-1 confidence of the bin's predictions (0 when empty). */
  confidence: number;
  /** Share of the bin's predictions that are right (0 when empty). */
  accuracy: number;
}

export interface Calibration {
  /** Expected calibration error: sum over bins of count/N x |accuracy - confidence|. */
  ece: number;
  bins: ReliabilityBin[];
}

function classCount(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (labels.length === 0) throw new Error("metrics: no predictions");
  const classes = probabilities.length / labels.length;
  if (!Number.isInteger(classes)) {
    throw new Error(`metrics: ${probabilities.length} probabilities do not divide into ${labels.length} rows`);
  }
  return classes;
}

/** The arg-max class of each row. */
export function argmaxRows(probabilities: ArrayLike<number>, classes: number): Int32Array {
  const n = probabilities.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k] > probabilities[i * classes + best]) best = k;
    out[i] = best;
  }
  return out;
}

/** Share of rows whose label is among the k most probable classes (ties go to the lower class index). */
export function topKAccuracy(probabilities: ArrayLike<number>, labels: ArrayLike<number>, k = 1): number {
  const classes = classCount(probabilities, labels);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i * classes + labels[i]];
    // Rank of the true class = number of classes strictly more probable, plus ties with a lower index.
    let rank = 0;
    for (let c = 0; c < classes; c++) {
      const q = probabilities[i * classes + c];
      if (q > p || (q === p && c < labels[i])) rank++;
    }
    if (rank < k) hits++;
  }
  return hits / labels.length;
}

export function accuracy(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  return topKAccuracy(probabilities, labels, 1);
}

/** Counts: matrix[true][predicted]. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  const matrix = Array.from({length: classes}, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predictions[i]]++;
  return matrix;
}

/** Precision, recall, F1 and support of each class from a confusion matrix (0 where undefined). */
export function classMetrics(matrix: number[][]): ClassMetrics[] {
  const classes = matrix.length;
  return matrix.map((row, k) => {
    const truePositives = row[k];
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < classes; t++) predicted += matrix[t][k];
    const precision = predicted ? truePositives / predicted : 0;
    const recall = support ? truePositives / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return {precision, recall, f1, support};
  });
}

/** Unweighted mean of the per-class F1 scores. */
export function macroF1(perClass: ClassMetrics[]): number {
  return perClass.reduce((sum, c) => sum + c.f1, 0) / perClass.length;
}

/** Reliability bins of top-1 confidence and the expected calibration error (Guo et al. 2017). */
export function calibration(probabilities: ArrayLike<number>, labels: ArrayLike<number>, binCount = 10): Calibration {
  const classes = classCount(probabilities, labels);
  const predictions = argmaxRows(probabilities, classes);
  const count = new Array<number>(binCount).fill(0);
  const confidence = new Array<number>(binCount).fill(0);
  const correct = new Array<number>(binCount).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i * classes + predictions[i]];
    const bin = Math.min(binCount - 1, Math.floor(p * binCount));
    count[bin]++;
    confidence[bin] += p;
    if (predictions[i] === labels[i]) correct[bin]++;
  }
  let ece = 0;
  const bins = count.map((n, b) => {
    const bin = {
      lower: b / binCount,
      upper: (b + 1) / binCount,
      count: n,
      confidence: n ? confidence[b] / n : 0,
      accuracy: n ? correct[b] / n : 0
    };
    ece += (n / labels.length) * Math.abs(bin.accuracy - bin.confidence);
    return bin;
  });
  return {ece, bins};
}

/** How sure the rows say they are against how often they are right: mean top-1 confidence, cross-entropy and ECE. */
export function confidenceScores(probabilities: ArrayLike<number>, labels: ArrayLike<number>): {meanConfidence: number; crossEntropy: number; ece: number} {
  const {ece, bins} = calibration(probabilities, labels);
  return {
    meanConfidence: bins.reduce((sum, bin) => sum + bin.count * bin.confidence, 0) / labels.length,
    crossEntropy: crossEntropy(probabilities, labels),
    ece
  };
}

/** Mean cross-entropy of the true labels, with probabilities clipped at 1e-7. */
export function crossEntropy(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  const classes = classCount(probabilities, labels);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum -= Math.log(Math.max(1e-7, probabilities[i * classes + labels[i]]));
  return sum / labels.length;
}

/** The temperatures fitTemperature searches by default, and the ones a model's calibration may carry (model-folder.ts). */
export const TEMPERATURE_RANGE = {min: 0.05, max: 20} as const;

/**
 * The temperature T that minimises the mean cross-entropy of the labels under probabilities softened as
 * logits / T would be (p^(1/T), renormalised per row, as targets.ts's softenedByTemperature does; p under
 * 1e-8 counts as 1e-8): temperature scaling (Guo et al. 2017), one number per model, which leaves every
 * row's arg-max as it was. T < 1 sharpens an underconfident model, T > 1 softens an overconfident one.
 * The loss is convex in 1/T, so a golden-section search over 1/T in [1/maxT, 1/minT] finds it.
 */
export function fitTemperature(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  {minTemperature = TEMPERATURE_RANGE.min, maxTemperature = TEMPERATURE_RANGE.max}: {minTemperature?: number; maxTemperature?: number} = {}
): number {
  if (labels.length === 0) throw new Error("fitTemperature needs at least one labelled row");
  const classes = classCount(probabilities, labels);
  if (!(minTemperature > 0 && maxTemperature > minTemperature)) {
    throw new Error(`fitTemperature: temperatures ${minTemperature}..${maxTemperature}, expected 0 < min < max`);
  }
  const logits = Float64Array.from(probabilities, (p) => Math.log(Math.max(p, 1e-8)));
  const loss = (beta: number): number => {
    let sum = 0;
    for (let i = 0; i < labels.length; i++) {
      const row = i * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, beta * logits[row + c]);
      let total = 0;
      for (let c = 0; c < classes; c++) total += Math.exp(beta * logits[row + c] - max);
      sum += max + Math.log(total) - beta * logits[row + labels[i]];
    }
    return sum / labels.length;
  };
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [low, high] = [1 / maxTemperature, 1 / minTemperature];
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let [lossA, lossB] = [loss(a), loss(b)];
  while (high - low > 1e-6 * high) {
    if (lossA <= lossB) {
      // The minimum lies in [low, b]: b becomes the upper end, a the new inner point on the right.
      high = b;
      b = a;
      lossB = lossA;
      a = high - ratio * (high - low);
      lossA = loss(a);
    } else {
      low = a;
      a = b;
      lossA = lossB;
      b = low + ratio * (high - low);
      lossB = loss(b);
    }
  }
  return 1 / ((low + high) / 2);
}

/** Two classifiers scored on the same items (McNemar's view): what only one of them got right. */
export interface PairedComparison {
  /** Items only `b` got right. */
  gains: number;
  /** Items only `a` got right. */
  losses: number;
  /** gains - losses: how many more items `b` gets right. */
  net: number;
  /** The standard error of `net` under "no difference": the square root of the items they disagree on. */
  standardError: number;
}

/** Compares `b` with `a` item by item (`a[i]`, `b[i]`: whether each got item i right). */
export function pairedComparison(a: ArrayLike<boolean>, b: ArrayLike<boolean>): PairedComparison {
  if (a.length !== b.length) throw new Error(`pairedComparison: ${a.length} against ${b.length} items, expected the same items`);
  let gains = 0, losses = 0;
  for (let i = 0; i < a.length; i++) {
    if (b[i] && !a[i]) gains++;
    else if (a[i] && !b[i]) losses++;
  }
  return {gains, losses, net: gains - losses, standardError: Math.sqrt(gains + losses)};
}
