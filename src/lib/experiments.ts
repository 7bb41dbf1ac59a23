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
  /** Whether the run ended by its own rules: its planned epochs, early stopping or its --max-hours. */
  finished: boolean;
  /** An unfinished run ended for good by hand (`npm run experiments -- --stopped NAME`), not paused to resume. */
  stopped?: boolean;
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

/** Where a run stands: finished by its own rules, ended for good by hand, or (as far as the table knows) still training. */
export function runState(experiment: Pick<Experiment, "finished" | "stopped">): "finished" | "stopped" | "training" {
  return experiment.finished ? "finished" : experiment.stopped ? "stopped" : "training";
}

const shortNumber = (x: number) => String(Number(x.toPrecision(3)));

/** A model folder's own name: "src/models/fer-tail-kd/" -> "fer-tail-kd". */
export const folderName = (dir: string): string => dir.split("/").filter(Boolean).pop() ?? dir;

/**
 * A run's recipe in one line, leaving out what every run of the table shares only when it is the engine's
 * default: "Adam 3e-3 one-cycle, 100 epochs, label smoothing 0.1, sqrt class weights, erasing 0.25,
 * distilled from fer-slim + fer-compact (weight 0.5, T 2)".
 */
export function recipeSummary(t: TrainingConfig): string {
  return recipeParts(t).join(", ");
}

/** The phrases recipeSummary joins: the optimizer and schedule, the epochs, then each setting a run turned on. */
export function recipeParts(t: TrainingConfig): string[] {
  const schedule = {onecycle: "one-cycle", cosine: "cosine", plateau: "reduce-on-plateau", constant: "constant"}[t.schedule];
  const plateau = t.schedule === "plateau" && t.plateau ? ` (${t.plateau.monitor}, x${t.plateau.factor} after ${t.plateau.patience})` : "";
  const teachers = t.distill?.teachers.map(folderName).join(" + ");
  return [
    `${t.optimizer === "adam" ? "Adam" : "SGD"} ${shortNumber(t.lr)} ${schedule}${plateau}`,
    `${t.epochs} epochs${t.patience > 0 && t.patience < t.epochs ? `, early stop ${t.patience}` : ""}`,
    t.batch !== 64 ? `batch ${t.batch}` : null,
    t.weightDecay ? `weight decay ${shortNumber(t.weightDecay)}${t.weightDecayScope === "kernels" ? " (kernels only)" : ""}` : null,
    t.labelSmoothing && !teachersOnly(t) ? `label smoothing ${t.labelSmoothing}` : null,
    t.classWeights !== "none" ? `${t.classWeights} class weights` : null,
    t.erasing ? `erasing ${t.erasing}` : null,
    t.mixup ? `mixup ${t.mixup}` : null,
    t.cutmix ? `CutMix ${t.cutmix}` : null,
    t.distill ? `distilled from ${teachers} (weight ${t.distill.weight}, T ${t.distill.temperature}${t.distill.tta === "crops" ? ", ten views" : ""}${t.distill.teaching === "consistent" ? ", consistent" : ""}${t.distill.form === "logits" ? ", on logits / T" : ""})` : null,
    t.init ? `fine-tuned from ${folderName(t.init.from)} (${t.init.epochs} epochs, PublicTest ${(100 * t.init.publicTestAccuracy).toFixed(2)}%)` : null,
    t.swaFrom != null ? `weight averaging (SWA) from epoch ${t.swaFrom}` : null,
    t.holdout ? `selected on a random ${Math.round(t.holdout.fraction * 100)}% of Training` : null,
    t.maxSeconds ? `at most ${shortNumber(t.maxSeconds / 3600)} h` : null
  ].filter((part): part is string => part != null);
}

/**
 * Whether the teachers' probabilities are a run's whole target (distillation weight 1 on soft targets): its
 * label, and so its label smoothing, then weighs nothing (tools/train-loop.ts, mixTeacherInto). Class weights
 * still act, by the teachers' share of each class.
 */
function teachersOnly(t: TrainingConfig): boolean {
  return t.distill != null && t.distill.weight >= 1 && t.distill.form !== "logits";
}

/** Epochs that settledAccuracy averages. */
export const SETTLED_EPOCHS = 10;

/**
 * Where a finished run settled: the mean PublicTest accuracy of its last `epochs` epochs. The selected epoch's
 * accuracy is the best of many noisy measurements (3,589 faces: a standard error near 0.8 points) and so
 * overstates what the recipe gives, by more the longer and noisier the run; this mean compares recipes
 * more steadily. Null for a run still training or with fewer epochs recorded.
 */
export function settledAccuracy(experiment: Experiment, epochs: number = SETTLED_EPOCHS): number | null {
  const recorded = experiment.publicTestByEpoch;
  if (!experiment.finished || recorded.length < epochs) return null;
  return recorded.slice(-epochs).reduce((sum, x) => sum + x, 0) / epochs;
}

/**
 * How far selected epochs overstate settled accuracy among the runs chosen on PublicTest that have one: the
 * median of (selected accuracy - settled accuracy), and over how many runs; null when none has both.
 */
export function selectionOptimism(experiments: readonly Experiment[]): {median: number; runs: number} | null {
  const gaps = experiments
    .filter((e) => e.selection === "PublicTest")
    .map((e) => {
      const settled = settledAccuracy(e);
      return settled == null ? null : e.publicTestAccuracy - settled;
    })
    .filter((gap): gap is number => gap != null)
    .sort((x, y) => x - y);
  if (gaps.length === 0) return null;
  const middle = gaps.length >> 1;
  return {median: gaps.length % 2 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2, runs: gaps.length};
}

/** One row of an ablation: a run against its group's baseline. */
export interface AblationRow {
  experiment: Experiment;
  /** Recipe phrases the run has and the baseline has not ("weight decay 0.05"). */
  added: string[];
  /** Recipe phrases the baseline has and the run has not (what an added phrase replaced). */
  removed: string[];
  /** PublicTest accuracy minus the baseline's. */
  difference: number;
  /** Settled accuracy (settledAccuracy) minus the baseline's; null when either has none. */
  settledDifference: number | null;
}

/** Runs that share a network, epochs, seed and batch, each changing the baseline's recipe. */
export interface Ablation {
  baseline: Experiment;
  rows: AblationRow[];
}

const symmetricDifference = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x)).length + b.filter((x) => !a.includes(x)).length;

/** Finished runs chosen on PublicTest, grouped by `key`. */
function groupRuns(experiments: readonly Experiment[], key: (e: Experiment) => string): Experiment[][] {
  const groups = new Map<string, Experiment[]>();
  for (const e of experiments) {
    if (!e.finished || e.selection !== "PublicTest") continue;
    groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  }
  return [...groups.values()];
}

/** A run against its baseline: what it changed (`added` instead of `removed`) and what that bought on PublicTest. */
function rowAgainst(baseline: Experiment, experiment: Experiment, added: string[], removed: string[]): AblationRow {
  const settled = [settledAccuracy(experiment), settledAccuracy(baseline)];
  return {
    experiment,
    added,
    removed,
    difference: experiment.publicTestAccuracy - baseline.publicTestAccuracy,
    settledDifference: settled[0] != null && settled[1] != null ? settled[0] - settled[1] : null
  };
}

/** Rows largest gain first (then by name); comparisons in the order of their baselines' names. */
const byGain = (a: AblationRow, b: AblationRow) => b.difference - a.difference || a.experiment.name.localeCompare(b.experiment.name);
const byBaselineName = (a: Ablation, b: Ablation) => a.baseline.name.localeCompare(b.baseline.name);

/** A run's rank when shipped runs sort first: 0 for a shipped run, 1 otherwise. */
const shippedRank = (shipped: readonly string[]) => (e: Experiment) => (shipped.includes(e.name) ? 0 : 1);

/**
 * The ablations among finished runs chosen on PublicTest: groups of three or more runs of one network with the
 * same epochs, seed and batch, so that only the recipe differs. The baseline is the run whose recipe differs
 * least from all the others' (counted in recipe phrases; ties go to a `shipped` run, the one the others were
 * varied from, then to the first name), and each other run is given as what it changed and what that bought on
 * PublicTest, largest gain first.
 */
export function ablations(experiments: readonly Experiment[], {shipped = []}: {shipped?: readonly string[]} = {}): Ablation[] {
  const rank = shippedRank(shipped);
  return groupRuns(experiments, (e) => [e.architecture, e.training.epochs, e.training.seed, e.training.batch].join("|"))
    .filter((members) => members.length >= 3)
    .map((members) => {
      const parts = new Map(members.map((m) => [m, recipeParts(m.training)]));
      const spread = (c: Experiment) => members.reduce((sum, m) => sum + symmetricDifference(parts.get(c)!, parts.get(m)!), 0);
      const baseline = [...members].sort((a, b) => spread(a) - spread(b) || rank(a) - rank(b) || a.name.localeCompare(b.name))[0];
      const base = parts.get(baseline)!;
      const rows = members
        .filter((m) => m !== baseline)
        .map((m) => {
          const own = parts.get(m)!;
          return rowAgainst(baseline, m, own.filter((p) => !base.includes(p)), base.filter((p) => !own.includes(p)));
        });
      return {baseline, rows: rows.sort(byGain)};
    })
    .sort(byBaselineName);
}

/**
 * The architecture comparisons among finished runs chosen on PublicTest: groups of runs with one recipe (the same
 * recipe phrases, seed and batch) on two or more networks, so that only the network differs. The baseline is the
 * shipped run among them, else the one with the fewest FLOPs (then the first name); each other run is given as
 * the network it swapped in, in the Ablation shape, so the page shows both kinds with one table.
 */
export function architectureComparisons(experiments: readonly Experiment[], {shipped = []}: {shipped?: readonly string[]} = {}): Ablation[] {
  const rank = shippedRank(shipped);
  const network = (e: Experiment) => `${e.architecture} (${shortNumber(e.flops / 1e6)} MFLOPs, ${shortNumber(e.params / 1e3)}K weights)`;
  return groupRuns(experiments, (e) => [recipeSummary(e.training), e.training.seed, e.training.batch].join("|"))
    .filter((members) => new Set(members.map((m) => m.architecture)).size >= 2)
    .map((members) => {
      const baseline = [...members].sort((a, b) => rank(a) - rank(b) || a.flops - b.flops || a.name.localeCompare(b.name))[0];
      const rows = members
        .filter((m) => m.architecture !== baseline.architecture)
        .map((m) => rowAgainst(baseline, m, [network(m)], [network(baseline)]));
      return {baseline, rows: rows.sort(byGain)};
    })
    .sort(byBaselineName);
}

/** A stretch of a run's note: plain text, or a `code` span (a command, a flag, a file) without its backticks. */
export interface NoteSpan {
  text: string;
  code: boolean;
}

/** A note's text as plain and code spans, in order; an unclosed backtick is kept as text. */
export function noteSpans(text: string): NoteSpan[] {
  const spans: NoteSpan[] = [];
  const push = (t: string, code: boolean) => {
    if (t) spans.push({text: t, code});
  };
  let last = 0;
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    push(text.slice(last, match.index), false);
    push(match[1], true);
    last = match.index! + match[0].length;
  }
  push(text.slice(last), false);
  return spans;
}

// Abbreviations whose full stop does not end a sentence ("Beyer et al. 2022", "e.g. 44 of 48").
const NOT_SENTENCE_ENDS = /(?:\bet al|\be\.g|\bi\.e|\bvs|\bcf)\.$/;

/**
 * A note's first sentence, which the table shows while the rest waits behind a disclosure: the end of the
 * first sentence is a full stop, question or exclamation mark followed by a space and not by a digit,
 * outside a code span and not after an abbreviation. The whole note when it is one sentence.
 */
export function noteHeadline(note: string): string {
  const text = note.trim();
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "`") inCode = !inCode;
    if (inCode || !".?!".includes(c)) continue;
    const next = text[i + 1];
    if (next !== " " && next !== "\n") continue;
    if (/\d/.test(text.slice(i + 1).trimStart()[0] ?? "")) continue;
    if (NOT_SENTENCE_ENDS.test(text.slice(0, i + 1))) continue;
    return text.slice(0, i + 1);
  }
  return text;
}

/** A note's paragraphs (blank lines part them), each trimmed, empty ones dropped. */
export function noteParagraphs(note: string): string[] {
  return note
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}
