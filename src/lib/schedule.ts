// Learning-rate schedules: one-cycle and cosine (per optimizer step), reduce-on-plateau (per epoch),
// and constant. Pure functions of the step or of a small state object, so checkpoints can resume them.

export const SCHEDULES = ["onecycle", "cosine", "plateau", "constant"] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  /** Share of the steps spent warming up. */
  pctStart?: number;
  /** The first learning rate is maxLr / divFactor. */
  divFactor?: number;
  /** The last learning rate is maxLr / divFactor / finalDivFactor. */
  finalDivFactor?: number;
}

function cosineBetween(from: number, to: number, t: number): number {
  return to + ((from - to) * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, t))))) / 2;
}

/** One-cycle (Smith 2018), as PyTorch's OneCycleLR with cosine annealing: warm up to maxLr, then anneal. */
export function oneCycleLr(step: number, options: OneCycleOptions): number {
  const {maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4} = options;
  const initial = maxLr / divFactor;
  const final = initial / finalDivFactor;
  const warmup = Math.max(1, Math.round(pctStart * totalSteps));
  if (step < warmup) return cosineBetween(initial, maxLr, step / warmup);
  return cosineBetween(maxLr, final, (step - warmup) / Math.max(1, totalSteps - 1 - warmup));
}

export interface CosineOptions {
  maxLr: number;
  totalSteps: number;
  /** Linear warm-up steps from 0 to maxLr. */
  warmupSteps?: number;
  minLr?: number;
}

/** Cosine decay from maxLr to minLr over totalSteps, after an optional linear warm-up. */
export function cosineLr(step: number, options: CosineOptions): number {
  const {maxLr, totalSteps, warmupSteps = 0, minLr = 0} = options;
  if (step < warmupSteps) return (maxLr * (step + 1)) / warmupSteps;
  return cosineBetween(maxLr, minLr, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
}

export interface PlateauState {
  lr: number;
  /** Best value of the monitored metric so far; null before the first epoch (JSON keeps no Infinity). */
  best: number | null;
  /** Epochs since the best one. */
  wait: number;
}

export interface PlateauOptions {
  factor?: number;
  /** Epochs without improvement after which the rate is cut (Keras's meaning: cut on the patience-th). */
  patience?: number;
  minLr?: number;
  /** Improvements smaller than this do not count (Keras's min_delta). */
  threshold?: number;
  /** "max" for an accuracy, "min" for a loss. */
  mode?: "max" | "min";
}

export function plateauStart(lr: number): PlateauState {
  return {lr, best: null, wait: 0};
}

/**
 * Reduce-on-plateau as Keras's ReduceLROnPlateau: an epoch that does not improve the metric by more than
 * `threshold` counts as waiting; on the `patience`-th such epoch lr *= factor (not below minLr) and the count restarts.
 */
export function plateauUpdate(state: PlateauState, metric: number, options: PlateauOptions = {}): PlateauState {
  const {factor = 0.5, patience = 3, minLr = 0, threshold = 1e-4, mode = "max"} = options;
  const improved = state.best === null || (mode === "max" ? metric > state.best + threshold : metric < state.best - threshold);
  if (improved) return {lr: state.lr, best: metric, wait: 0};
  const wait = state.wait + 1;
  if (wait >= patience) return {lr: Math.max(minLr, state.lr * factor), best: state.best, wait: 0};
  return {lr: state.lr, best: state.best, wait};
}

/** The learning rate of a step-based schedule (plateau and constant return maxLr: plateau adjusts per epoch). */
export function scheduledLr(
  schedule: ScheduleName,
  step: number,
  options: {maxLr: number; totalSteps: number}
): number {
  switch (schedule) {
    case "onecycle":
      return oneCycleLr(step, options);
    case "cosine":
      return cosineLr(step, {...options, warmupSteps: Math.round(options.totalSteps * 0.02)});
    case "plateau":
    case "constant":
      return options.maxLr;
  }
}
