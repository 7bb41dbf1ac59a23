// The experiments table (src/models/experiments.json, written by `npm run experiments`): one row per training
// run tried for the report's models, what it changed and what it gave on PublicTest. Shared by the tool and
// the page that shows it.

import type {SelectionSplit, TrainingConfig} from "./model-folder.js";

export interface Experiment {
  name: string;
  architecture: string;
  params: number;
  flops: number;
  training: TrainingConfig;
  selection: SelectionSplit;
  epochsRun: number;
  /** Whether the run reached its planned epochs or stopped early (else it was still running when read). */
  finished: boolean;
  bestEpoch: number;
  /** At the selected epoch. */
  publicTestAccuracy: number;
  publicTestByEpoch: number[];
  secondsTrained: number;
  /** Median training throughput of its epochs. */
  imagesPerSecond: number | null;
  /** The run's NOTE.md: what it tried and why. */
  note: string | null;
}

export interface ExperimentsTable {
  experiments: Experiment[];
}

const shortNumber = (x: number) => String(Number(x.toPrecision(3)));

/**
 * A run's recipe in one line, leaving out what every run of the table shares only when it is the engine's
 * default: "Adam 3e-3 one-cycle, 100 epochs, label smoothing 0.1, sqrt class weights, erasing 0.25,
 * distilled from fer-slim + fer-compact (weight 0.5, T 2)".
 */
export function recipeSummary(t: TrainingConfig): string {
  const schedule = {onecycle: "one-cycle", cosine: "cosine", plateau: "reduce-on-plateau", constant: "constant"}[t.schedule];
  const plateau = t.schedule === "plateau" && t.plateau ? ` (${t.plateau.monitor}, x${t.plateau.factor} after ${t.plateau.patience})` : "";
  const teachers = t.distill?.teachers.map((dir) => dir.split("/").filter(Boolean).pop()).join(" + ");
  return [
    `${t.optimizer === "adam" ? "Adam" : "SGD"} ${shortNumber(t.lr)} ${schedule}${plateau}`,
    `${t.epochs} epochs${t.patience > 0 && t.patience < t.epochs ? `, early stop ${t.patience}` : ""}`,
    t.batch !== 64 ? `batch ${t.batch}` : null,
    t.weightDecay ? `weight decay ${shortNumber(t.weightDecay)}` : null,
    t.labelSmoothing ? `label smoothing ${t.labelSmoothing}` : null,
    t.classWeights !== "none" ? `${t.classWeights} class weights` : null,
    t.erasing ? `erasing ${t.erasing}` : null,
    t.mixup ? `mixup ${t.mixup}` : null,
    t.cutmix ? `CutMix ${t.cutmix}` : null,
    t.distill ? `distilled from ${teachers} (weight ${t.distill.weight}, T ${t.distill.temperature})` : null,
    t.holdout ? `selected on a random ${Math.round(t.holdout.fraction * 100)}% of Training` : null,
    t.maxSeconds ? `at most ${shortNumber(t.maxSeconds / 3600)} h` : null
  ]
    .filter(Boolean)
    .join(", ");
}
