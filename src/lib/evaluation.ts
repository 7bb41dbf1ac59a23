// From a model's predicted probabilities on one split to the evaluation object stored in
// evaluation.json. `npm run evaluate` and the report's loaders both call this, so they agree.

import {EMOTIONS, NUM_CLASSES, type Emotion} from "./labels.js";
import {
  argmaxRows,
  calibration,
  classMetrics,
  confusionMatrix,
  crossEntropy,
  macroF1,
  topKAccuracy,
  type ClassMetrics,
  type ReliabilityBin
} from "./metrics.js";

export interface SplitEvaluation {
  count: number;
  accuracy: number;
  top2Accuracy: number;
  macroF1: number;
  loss: number;
  perClass: Record<Emotion, ClassMetrics>;
  /** confusion[true][predicted], rows and columns in EMOTIONS order. */
  confusion: number[][];
  ece: number;
  reliability: ReliabilityBin[];
}

/** Evaluates probabilities (N x 7, EMOTIONS order) against labels (N indices). */
export function evaluatePredictions(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  {bins = 10}: {bins?: number} = {}
): SplitEvaluation {
  if (probabilities.length !== labels.length * NUM_CLASSES) {
    throw new Error(`evaluatePredictions: expected ${labels.length * NUM_CLASSES} probabilities, got ${probabilities.length}`);
  }
  const confusion = confusionMatrix(labels, argmaxRows(probabilities, NUM_CLASSES), NUM_CLASSES);
  const perClassList = classMetrics(confusion);
  const {ece, bins: reliability} = calibration(probabilities, labels, bins);
  return {
    count: labels.length,
    accuracy: topKAccuracy(probabilities, labels, 1),
    top2Accuracy: topKAccuracy(probabilities, labels, 2),
    macroF1: macroF1(perClassList),
    loss: crossEntropy(probabilities, labels),
    perClass: Object.fromEntries(EMOTIONS.map((e, k) => [e, perClassList[k]])) as Record<Emotion, ClassMetrics>,
    confusion,
    ece,
    reliability
  };
}

/**
 * The mean of several models' probabilities for the same faces (an ensemble's prediction), summed in member
 * order in float64 and stored as float32. Throws when the arrays differ in length or none is given.
 */
export function meanProbabilities(members: readonly Float32Array[]): Float32Array {
  if (members.length === 0) throw new Error("meanProbabilities: no members");
  const length = members[0].length;
  const bad = members.findIndex((p) => p.length !== length);
  if (bad >= 0) throw new Error(`meanProbabilities: member ${bad} has ${members[bad].length} probabilities, member 0 has ${length}`);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const p of members) sum += p[i];
    out[i] = sum / members.length;
  }
  return out;
}
