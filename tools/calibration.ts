// `npm run calibration -- --models DIR[,DIR...] [--tta | --crops] [--data PATH]`: how far each model's
// confidences are from its accuracy on PublicTest, and the temperature that would close the gap. Each model
// runs over PublicTest once (through the predictor `npm run evaluate` uses); then fitTemperature
// (src/lib/metrics.ts) finds the T that minimises the cross-entropy of p^(1/T), renormalised, as logits / T
// would be (temperature scaling, Guo et al. 2017: one number per model, no prediction changes). Prints, per
// model, the mean top-1 confidence, cross-entropy and expected calibration error before and after. The
// temperature is fitted on the same faces it is scored on, so "after" is in-sample; PublicTest only, like
// every choice the report makes: PrivateTest is never read here.

import path from "node:path";
import {parseFlags, printJson, progressLine, runCli} from "./cli.js";
import {loadPublicTest} from "./fer2013.js";
import {openFolderPredictor} from "./folder-predictor.js";
import {EMOTIONS} from "../src/lib/labels.js";
import {accuracy, calibration, crossEntropy, fitTemperature} from "../src/lib/metrics.js";
import {softenedByTemperature} from "../src/lib/targets.js";
import type {TtaMode} from "../src/lib/augment.js";

const USAGE = `npm run calibration -- --models DIR[,DIR...] [--tta | --crops] [--data PATH]

Runs each model folder over PublicTest (mirrored too with --tta, over the evaluator's ten views with --crops)
and prints, as JSON, its mean top-1 confidence, cross-entropy and expected calibration error, and the same
after temperature scaling with the temperature fitted on those faces. Writes nothing.`;

const FLAGS = {models: "string", tta: "boolean", crops: "boolean", data: "string", synthetic: "number"} as const;

/** Mean top-1 confidence, cross-entropy and expected calibration error of probability rows. */
function confidenceOf(probabilities: Float32Array, labels: Uint8Array) {
  const {ece, bins} = calibration(probabilities, labels);
  return {
    meanConfidence: bins.reduce((sum, bin) => sum + bin.count * bin.confidence, 0) / labels.length,
    crossEntropy: crossEntropy(probabilities, labels),
    ece
  };
}

async function main(): Promise<void> {
  const {flags, positionals} = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"; flags start with --`);
  const dirs = (flags.models ?? "").split(",").filter(Boolean).map((dir) => path.resolve(dir));
  if (dirs.length === 0) throw new Error("--models needs at least one model folder (several separated by commas)");
  if (flags.tta && flags.crops) throw new Error("--tta and --crops are two test-time options; choose one (--crops includes the mirror images)");
  const tta: TtaMode = flags.crops ? "crops" : flags.tta ? "flip" : "none";
  const progress = progressLine();
  const {input, labels} = await loadPublicTest({data: flags.data, synthetic: flags.synthetic}, progress);
  const models = [];
  for (const [k, dir] of dirs.entries()) {
    progress.update(`PublicTest through ${path.basename(dir)} (${k + 1} of ${dirs.length})`);
    const predictor = await openFolderPredictor(dir);
    let probabilities: Float32Array;
    try {
      probabilities = await predictor.predict(input, {tta});
    } finally {
      await predictor.dispose();
    }
    const temperature = fitTemperature(probabilities, labels);
    const scaled = softenedByTemperature(probabilities, {classes: EMOTIONS.length, temperature});
    models.push({
      model: path.relative(process.cwd(), dir) || dir,
      accuracy: accuracy(probabilities, labels),
      before: confidenceOf(probabilities, labels),
      temperature,
      after: confidenceOf(scaled, labels)
    });
  }
  progress.done(`${dirs.length} model${dirs.length === 1 ? "" : "s"} over ${labels.length} PublicTest faces`);
  printJson({split: "PublicTest", faces: labels.length, tta, models});
}

runCli(main);
