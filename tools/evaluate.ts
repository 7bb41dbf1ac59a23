// `npm run evaluate -- --model DIR [--tta] [--crops] [--data PATH]`: runs a model folder over PublicTest and
// PrivateTest, writes DIR/evaluation.json and prints a JSON summary on stdout.

import fs from "node:fs";
import path from "node:path";
import {parseFlags, printJson, progressLine, runCli} from "./cli.js";
import {openFolderPredictor} from "./folder-predictor.js";
import {predictTestSplits, type SplitPredictions} from "./model-loaders.js";
import {readJson, writeJsonAtomic} from "./model-io.js";
import {loadFer2013} from "./fer2013.js";
import type {Fer2013Dataset} from "../src/lib/dataset.js";
import type {SplitEvaluation} from "../src/lib/evaluation.js";
import {EVALUATION_SPLITS, MODEL_FILES, validateMetadata, type Evaluation, type EvaluationSplit} from "../src/lib/model-folder.js";
import {syntheticDataset} from "./synthetic.js";
import {storedBytes, storedDtype} from "../src/lib/quantize.js";
import type * as tf from "@tensorflow/tfjs";

const FLAGS = {model: "string", tta: "boolean", crops: "boolean", data: "string", backend: "string", synthetic: "number"} as const;

const USAGE = `npm run evaluate -- --model DIR [--tta] [--crops] [--data PATH] [--backend node|wasm|cpu]

Runs a model folder over PublicTest and PrivateTest: accuracy, top-2 accuracy, macro-F1, per-class
precision/recall/F1/support, confusion matrix, expected calibration error with reliability bins.
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
  if (!fs.existsSync(dir)) throw new Error(`model folder ${dir} does not exist`);
  const metadata = validateMetadata(readJson(path.join(dir, MODEL_FILES.metadata)), path.join(dir, MODEL_FILES.metadata));
  const backendName = flags.backend ?? "node";
  if (!["node", "wasm", "cpu"].includes(backendName)) throw new Error(`--backend is "${backendName}", expected one of node, wasm, cpu`);
  // Which weights these numbers belong to: an exported model may hold uint8 or float16 weights.
  const specs = (readJson<tf.io.ModelJSON>(path.join(dir, MODEL_FILES.model)).weightsManifest ?? []).flatMap((group) => group.weights);
  const weights = {dtype: storedDtype(specs), bytes: specs.reduce((sum, spec) => sum + storedBytes(spec), 0)};

  // Both cores through the engine's workers (the report's loaders predict through the same predictor);
  // they start while the dataset loads.
  const opening = openFolderPredictor(dir, {backend: backendName as "node" | "wasm" | "cpu"});
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
  const {backend} = predictor;
  if (predictor.inProcessReason) progress.done(`evaluating in this thread: ${predictor.inProcessReason}`);

  const started = performance.now();
  let predictions: Record<EvaluationSplit, SplitPredictions>;
  try {
    predictions = await predictTestSplits(predictor, dataset, {
      tta: Boolean(flags.tta),
      crops: Boolean(flags.crops),
      onSplit: (split, faces) => progress.update(`evaluating ${split} (${faces} faces, ${backend})`)
    });
  } finally {
    await predictor.dispose();
  }
  const splits = Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, predictions[split].evaluation])) as Record<EvaluationSplit, SplitEvaluation>;
  const flipTta = Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, predictions[split].flipTta!])) as Record<EvaluationSplit, SplitEvaluation>;
  const evaluation: Evaluation = {
    architecture: metadata.architecture,
    backend,
    weights,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    createdAt: new Date().toISOString(),
    tta: Boolean(flags.tta),
    splits,
    ...(flags.tta ? {flipTta} : {}),
    ...(flags.crops ? {cropsTta: Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, predictions[split].cropsTta!])) as Record<EvaluationSplit, SplitEvaluation>} : {})
  };
  writeJsonAtomic(path.join(dir, MODEL_FILES.evaluation), evaluation);
  progress.done(`wrote ${path.join(dir, MODEL_FILES.evaluation)}`);
  printJson({
    model: dir,
    architecture: metadata.architecture,
    backend,
    weights,
    seconds: evaluation.seconds,
    PublicTest: headline(splits.PublicTest),
    PrivateTest: headline(splits.PrivateTest),
    ...(flags.tta ? {flipTta: {PublicTest: headline(flipTta.PublicTest), PrivateTest: headline(flipTta.PrivateTest)}} : {}),
    ...(evaluation.cropsTta ? {cropsTta: {PublicTest: headline(evaluation.cropsTta.PublicTest), PrivateTest: headline(evaluation.cropsTta.PrivateTest)}} : {})
  });
}

runCli(main);
