// `npm run calibration -- --models DIR[,DIR...] [--tta | --crops] [--write] [--data PATH]`: how far each
// model's confidences are from its accuracy on PublicTest, and the temperature that closes the gap. Each
// model (or ensemble of models.json) runs over PublicTest once, through the predictor `npm run evaluate`
// uses; then fitTemperature (src/lib/metrics.ts) finds the T that minimises the cross-entropy of p^(1/T),
// renormalised, as logits / T would be (temperature scaling, Guo et al. 2017: one number per model, no
// prediction changes). It is fitted to the network's probabilities (an ensemble's: the mean of its members'
// networks), whatever temperature the model carries now. Prints, per model, the mean top-1 confidence,
// cross-entropy and expected calibration error before and after. With --write it stores the fit as the
// model's calibration (metadata.json, or the ensemble's entry in models.json; see ModelCalibration in
// src/lib/model-folder.ts), which `npm run evaluate`, the report and the classifier page then apply. The
// temperature is fitted on the same faces it is scored on, so "after" is in-sample; PublicTest only, like
// every choice the report makes: PrivateTest is never read here.

import path from "node:path";
import {parseFlags, printJson, progressLine, runCli} from "./cli.js";
import {loadPublicTest} from "./fer2013.js";
import {openTargetPredictor} from "./folder-predictor.js";
import {readEvaluationTarget, writeCalibration} from "./model-io.js";
import {accuracy, confidenceScores, fitTemperature} from "../src/lib/metrics.js";
import {withTemperature} from "../src/lib/model-folder.js";
import type {TtaMode} from "../src/lib/augment.js";

const USAGE = `npm run calibration -- --models DIR[,DIR...] [--tta | --crops] [--write] [--data PATH]

Runs each model folder (or ensemble of the models.json beside it) over PublicTest (mirrored too with --tta,
over the evaluator's ten views with --crops) and prints, as JSON, its network's mean top-1 confidence,
cross-entropy and expected calibration error, and the same after temperature scaling with the temperature
fitted on those faces. Without --write it writes nothing. With --write it stores each fit as the model's
calibration (metadata.json; an ensemble's in models.json), applied from then on by npm run evaluate, the
report and the classifier; run npm run evaluate again to refresh evaluation.json.`;

const FLAGS = {models: "string", tta: "boolean", crops: "boolean", write: "boolean", data: "string", synthetic: "number"} as const;

async function main(): Promise<void> {
  const {flags, positionals} = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"; flags start with --`);
  const dirs = (flags.models ?? "").split(",").filter(Boolean).map((dir) => path.resolve(dir));
  if (dirs.length === 0) throw new Error("--models needs at least one model folder (several separated by commas)");
  if (flags.tta && flags.crops) throw new Error("--tta and --crops are two test-time options; choose one (--crops includes the mirror images)");
  const tta: TtaMode = flags.crops ? "crops" : flags.tta ? "flip" : "none";
  // Every target is read before anything runs, so a bad name fails at once.
  const targets = dirs.map((dir) => ({dir, target: readEvaluationTarget(dir)}));
  const progress = progressLine();
  const {input, labels} = await loadPublicTest({data: flags.data, synthetic: flags.synthetic}, progress);
  const models = [];
  // Several ensembles' fits go to one models.json: each file once.
  const written = new Set<string>();
  for (const [k, {dir, target}] of targets.entries()) {
    progress.update(`PublicTest through ${path.basename(dir)} (${k + 1} of ${dirs.length})`);
    const predictor = await openTargetPredictor(dir, target);
    let probabilities: Float32Array;
    try {
      probabilities = await predictor.predict(input, {tta});
    } finally {
      await predictor.dispose();
    }
    const temperature = fitTemperature(probabilities, labels);
    const before = confidenceScores(probabilities, labels);
    const after = confidenceScores(withTemperature(probabilities, temperature), labels);
    models.push({model: path.relative(process.cwd(), dir) || dir, accuracy: accuracy(probabilities, labels), currentTemperature: target.temperature, temperature, before, after});
    if (flags.write) written.add(writeCalibration(dir, {temperature, split: "PublicTest", faces: labels.length, tta, before, after, fittedAt: new Date().toISOString()}));
  }
  progress.done(`${dirs.length} model${dirs.length === 1 ? "" : "s"} over ${labels.length} PublicTest faces${flags.write ? `; wrote ${[...written].join(", ")}` : ""}`);
  printJson({split: "PublicTest", faces: labels.length, tta, models, ...(flags.write ? {written: [...written].map((file) => path.relative(process.cwd(), file) || file)} : {})});
}

runCli(main);
