// Stochastic weight averaging's arithmetic (Izmailov et al. 2018): the running equal-weight average of a run's
// epoch-end weights, and how many training-mode batches measure an averaged model's BatchNorm statistics afresh.
// tools/train-loop.ts applies them (npm run train -- --swa-from E).

import type {NamedTensor} from "../engine/trainer.js";

/** The average of `count` earlier weight sets (`average`; null when count is 0) and `weights`: a new array. */
export function addToAverage(average: NamedTensor[] | null, weights: NamedTensor[], count: number): NamedTensor[] {
  if (average === null || count === 0) return weights.map((w) => ({name: w.name, shape: [...w.shape], values: w.values.slice()}));
  if (average.length !== weights.length) throw new Error(`the average holds ${average.length} weights, the model ${weights.length}`);
  return weights.map((w, k) => {
    const previous = average[k].values;
    if (previous.length !== w.values.length) throw new Error(`weight ${w.name} has ${w.values.length} values, its average ${previous.length}`);
    const values = new Float32Array(previous.length);
    for (let i = 0; i < values.length; i++) values[i] = previous[i] + (w.values[i] - previous[i]) / (count + 1);
    return {name: w.name, shape: [...w.shape], values};
  });
}

/**
 * Training-mode batches after which the BatchNorm moving statistics a model started with weigh at most
 * `residual` (each batch keeps `momentum` of them): the statistics are then the new weights' own.
 */
export function statisticsRefreshSteps(momenta: readonly number[], residual = 1e-3): number {
  const slowest = Math.max(0, ...momenta);
  if (slowest <= 0) return 1;
  if (slowest >= 1) throw new Error(`a BatchNorm momentum of ${slowest} never forgets its statistics`);
  return Math.ceil(Math.log(residual) / Math.log(slowest));
}
