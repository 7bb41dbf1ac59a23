// Training targets: label-smoothed one-hot rows and per-class loss weights for an imbalanced set.

export const CLASS_WEIGHTINGS = ["none", "balanced", "sqrt"] as const;
export type ClassWeighting = (typeof CLASS_WEIGHTINGS)[number];

/** One row per label: 1 - smoothing on the label, smoothing / classes spread over every class. */
export function smoothedTargets(labels: ArrayLike<number>, {classes, smoothing = 0}: {classes: number; smoothing?: number}): Float32Array {
  const out = new Float32Array(labels.length * classes).fill(smoothing / classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]] += 1 - smoothing;
  return out;
}

/**
 * Per-class loss weights from the training labels: "balanced" is N / (classes x count), "sqrt" its square
 * root (a milder correction), "none" all ones. Weights are rescaled so that the mean weight over the
 * training faces is 1, which keeps the loss scale (and a tuned learning rate) unchanged.
 */
export function classWeights(labels: ArrayLike<number>, {classes, weighting}: {classes: number; weighting: ClassWeighting}): Float32Array {
  const counts = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const weights = new Float32Array(classes);
  for (let k = 0; k < classes; k++) {
    const balanced = counts[k] ? labels.length / (classes * counts[k]) : 0;
    weights[k] = weighting === "none" ? 1 : weighting === "balanced" ? balanced : Math.sqrt(balanced);
  }
  let mean = 0;
  for (let k = 0; k < classes; k++) mean += (weights[k] * counts[k]) / labels.length;
  for (let k = 0; k < classes; k++) weights[k] /= mean || 1;
  return weights;
}

/**
 * Probability rows softened by a temperature, as logits / T would be: p^(1/T), renormalised per row
 * (T > 1 flattens, T = 1 keeps them). Probabilities under 1e-8 count as 1e-8, so no row becomes 0 / 0.
 */
export function softenedByTemperature(probabilities: Float32Array, {classes, temperature}: {classes: number; temperature: number}): Float32Array {
  const out = new Float32Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i += classes) {
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += (out[i + c] = Math.pow(Math.max(probabilities[i + c], 1e-8), 1 / temperature));
    for (let c = 0; c < classes; c++) out[i + c] /= sum;
  }
  return out;
}
