// `npm run evaluate -- --model DIR [--tta] [--crops] [--data PATH]`: runs a model folder (or an ensemble of
// models.json) over PublicTest and PrivateTest, writes DIR/evaluation.json and prints a JSON summary on
// stdout. With --public-only it runs PublicTest alone and writes nothing: the split to choose on.

import fs from "node:fs";
import path from "node:path";
import {parseFlags, printJson, progressLine, runCli} from "./cli.js";
import {openTargetPredictor, type EnsemblePredictor, type FolderPredictor} from "./folder-predictor.js";
import {predictTestSplits, type SplitPredictions} from "./model-loaders.js";
import {readEvaluationTarget, writeJsonAtomic} from "./model-io.js";
import {loadFer2013} from "./fer2013.js";
import type {Fer2013Dataset} from "../src/lib/dataset.js";
import type {SplitEvaluation} from "../src/lib/evaluation.js";
import {EVALUATION_SPLITS, MODEL_FILES, type Evaluation, type EvaluationSplit} from "../src/lib/model-folder.js";
import {syntheticDataset} from "./synthetic.js";

const FLAGS = {model: "string", tta: "boolean", crops: "boolean", "public-only": "boolean", data: "string", backend: "string", synthetic: "number"} as const;

const USAGE = `npm run evaluate -- --model DIR [--tta] [--crops] [--public-only] [--data PATH] [--backend node|wasm|cpu]

Runs a model folder over PublicTest and PrivateTest: accuracy, top-2 accuracy, macro-F1, per-class
precision/recall/F1/support, confusion matrix, expected calibration error with reliability bins, all of
the model's probabilities: the network's scaled by the temperature that npm run calibration -- --write
fitted on PublicTest (metadata.json's calibration, or the ensemble's in models.json; 1 without one).
DIR may also name an ensemble of the models.json beside it (an entry {"name", "members"}; the folder is
created): its members' probabilities are averaged, each member with the same test-time option.
--public-only runs PublicTest alone and writes nothing (for choosing between models and ensembles).
--tta also averages each face with its mirror image (2 passes), --crops over five 44-pixel crops and their
mirrors (10 passes). The faces are split across two worker threads (see
tools/folder-predictor.ts; "backend" in the output says where they ran). Writes DIR/evaluation.json,
prints a JSON summary.`;

function headline(e: SplitEvaluation) {
  return {accuracy: e.accuracy, top2Accuracy: e.top2Accuracy, macroF1: e.macroF1, ece: e.ece, count: e.count};
}

async function main(): Promise<void> {
  const {flags, positionals} = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"; flags start with --`);
  if (!flags.model) throw new Error("--model DIR is required: a model folder written by npm run train");
  const dir = path.resolve(flags.model);
  const target = readEvaluationTarget(dir);
  const backendName = flags.backend ?? "node";
  if (!["node", "wasm", "cpu"].includes(backendName)) throw new Error(`--backend is "${backendName}", expected one of node, wasm, cpu`);
  const weights = target.weights;
  const splitsToRun = flags["public-only"] ? (["PublicTest"] as const) : EVALUATION_SPLITS;

  // Both cores through the engine's workers (the report's loaders predict through the same predictor);
  // they start while the dataset loads.
  const predictorOptions = {backend: backendName as "node" | "wasm" | "cpu"};
  const opening: Promise<FolderPredictor | EnsemblePredictor> = openTargetPredictor(dir, target, predictorOptions);
  opening.catch(() => {}); // awaited below; a failure is reported there, not as an unhandled rejection
  const progress = progressLine();
  let dataset: Fer2013Dataset;
  try {
    if (flags.synthetic !== undefined) dataset = syntheticDataset(flags.synthetic);
    else {
      dataset = await loadFer2013({path: flags.data, onProgress: ({stage, done}) => progress.update(`loading fer2013: ${stage} ${done}`)});
      progress.done(`loaded fer2013: ${dataset.labels.length} faces`);
    }
  } catch (error) {
    await opening.then((predictor) => predictor.dispose(), () => {});
    throw error;
  }
  const predictor = await opening;
  const {backend, temperature} = predictor;
  if (predictor.inProcessReason) progress.done(`evaluating in this thread: ${predictor.inProcessReason}`);

  const started = performance.now();
  let predictions: Record<EvaluationSplit, SplitPredictions>;
  try {
    predictions = await predictTestSplits(predictor, dataset, {
      tta: Boolean(flags.tta),
      crops: Boolean(flags.crops),
      splits: splitsToRun,
      onSplit: (split, faces) => progress.update(`evaluating ${split} (${faces} faces, ${backend})`)
    });
  } finally {
    await predictor.dispose();
  }
  const architecture = target.members ? "ensemble" : target.architecture;
  const members = target.members ? {members: target.members.map((member) => member.name)} : {};
  // The headline numbers of the splits that ran, per test-time option, for stdout.
  const headlines = (key: "evaluation" | "flipTta" | "cropsTta") =>
    predictions[splitsToRun[0]][key] ? Object.fromEntries(splitsToRun.map((split) => [split, headline(predictions[split][key]!)])) : undefined;
  const summary = {model: dir, architecture, ...members, backend, weights, temperature, ...headlines("evaluation"), flipTta: headlines("flipTta"), cropsTta: headlines("cropsTta")};
  if (flags["public-only"]) {
    progress.done(`PublicTest only: nothing written`);
    printJson(summary);
    return;
  }
  const perSplit = (key: "evaluation" | "flipTta" | "cropsTta") =>
    Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, predictions[split][key]!])) as Record<EvaluationSplit, SplitEvaluation>;
  const evaluation: Evaluation = {
    architecture,
    ...members,
    backend,
    weights,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    createdAt: new Date().toISOString(),
    temperature,
    tta: Boolean(flags.tta),
    splits: perSplit("evaluation"),
    ...(flags.tta ? {flipTta: perSplit("flipTta")} : {}),
    ...(flags.crops ? {cropsTta: perSplit("cropsTta")} : {})
  };
  fs.mkdirSync(dir, {recursive: true});
  writeJsonAtomic(path.join(dir, MODEL_FILES.evaluation), evaluation);
  progress.done(`wrote ${path.join(dir, MODEL_FILES.evaluation)}`);
  printJson({...summary, seconds: evaluation.seconds});
}

runCli(main);
