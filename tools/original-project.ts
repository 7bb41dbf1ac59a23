// `npm run original`: the measurements behind the report's page on the original project
// (src/pages/original.md), written to src/data/original-project.json so the page builds without FER2013:
// - its label bug: the shipped seed-vgg's PrivateTest predictions as its apps would have named them;
// - its protocol: each model trained with `npm run train -- --holdout 0.2` (early stopping on a random 20% of
//   Training, as the notebook did), scored on that 20% with and without the faces that have a byte-identical or
//   near-identical copy in the other 80%, beside its PrivateTest accuracy;
// - its "hard examples" cell, replayed on that split: which faces it really picks.
// Only aggregates are written: counts, accuracies, confusion matrices.

import path from "node:path";
import {parseFlags, printJson, progressLine, runCli} from "./cli.js";
import {loadFer2013} from "./fer2013.js";
import {openFolderPredictor} from "./folder-predictor.js";
import {readJson, writeJsonAtomic} from "./model-io.js";
import {randomHoldout, splitIndices, type Fer2013Dataset} from "../src/lib/dataset.js";
import {matchesInPool} from "../src/lib/duplicates.js";
import {accuracy, argmaxRows, confusionMatrix} from "../src/lib/metrics.js";
import {MODEL_FILES, validateMetadata, type ModelMetadata} from "../src/lib/model-folder.js";
import {asDisplayed, swappedLabels} from "../src/lib/original-project.js";
import {facesToInput} from "../src/lib/preprocess.js";
import {NUM_CLASSES} from "../src/lib/labels.js";
import {Random, deriveSeed} from "../src/lib/random.js";
import type {OriginalProjectReport, ProtocolRun} from "../src/lib/original-project.js";

const USAGE = `npm run original -- [--seed-vgg DIR] [--holdout-runs DIR,DIR] [--out FILE] [--data PATH]

Measures the original project's label bug on DIR's PrivateTest predictions (default src/models/seed-vgg) and
its protocol on each run trained with --holdout (npm run train -- --holdout 0.2 ...): accuracy on the held-out
20% of Training, with and without faces that have a copy (byte-identical, or within --near grey levels on
average) in the other 80%, against PrivateTest. Writes FILE (default src/data/original-project.json).`;

const NEAR_IDENTICAL_MEAN_DIFFERENCE = 4;

async function predictIndices(dir: string, dataset: Fer2013Dataset, indices: ArrayLike<number>): Promise<Float32Array> {
  const predictor = await openFolderPredictor(dir);
  try {
    return await predictor.predict(facesToInput(dataset.pixels, indices));
  } finally {
    await predictor.dispose();
  }
}

function labelsOf(dataset: Fer2013Dataset, indices: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(indices as ArrayLike<number>, (i) => dataset.labels[i]);
}

async function protocolRun(dir: string, dataset: Fer2013Dataset, near: number, log: (text: string) => void): Promise<ProtocolRun> {
  const metadataFile = path.join(dir, MODEL_FILES.metadata);
  const metadata: ModelMetadata = validateMetadata(readJson(metadataFile), metadataFile);
  const holdout = metadata.training.holdout;
  if (!holdout) throw new Error(`${dir} was not trained with --holdout: it selected on ${metadata.dataset.selectionSplit}`);
  const cut = randomHoldout(splitIndices(dataset, "Training"), holdout);
  log(`${path.basename(dir)}: looking for copies of ${cut.holdout.length} held-out faces among ${cut.kept.length}`);
  const matches = matchesInPool(dataset, cut.holdout, cut.kept, {maxMeanDifference: near});
  const privateTest = splitIndices(dataset, "PrivateTest");
  log(`${path.basename(dir)}: predicting the holdout, the kept faces and PrivateTest`);
  const holdoutPredicted = argmaxRows(await predictIndices(dir, dataset, cut.holdout), NUM_CLASSES);
  const holdoutLabels = labelsOf(dataset, cut.holdout);
  const scoreWhere = (keep: (k: number) => boolean) => {
    let faces = 0, correct = 0;
    for (let k = 0; k < holdoutLabels.length; k++) if (keep(k)) (faces++, holdoutPredicted[k] === holdoutLabels[k] && correct++);
    return {faces, accuracy: faces ? correct / faces : 0};
  };
  // The notebook's hard-examples cell: for i over the test rows, it compares the prediction for x_test[i] with
  // y_train[i] and keeps x_train[i]: a training face picked by an unrelated test face's prediction.
  const trainOrder = new Random(deriveSeed(holdout.seed, 0x4a2d)).shuffle(cut.kept.slice());
  const paired = trainOrder.subarray(0, cut.holdout.length);
  const testOrder = new Random(deriveSeed(holdout.seed, 0x4a2e)).shuffle(Int32Array.from(cut.holdout.keys()));
  const pairedPredicted = argmaxRows(await predictIndices(dir, dataset, paired), NUM_CLASSES);
  let picked = 0, pickedWrongOnItself = 0, wrongOnItself = 0;
  paired.forEach((row, i) => {
    const ownWrong = pairedPredicted[i] !== dataset.labels[row];
    if (ownWrong) wrongOnItself++;
    if (holdoutPredicted[testOrder[i]] !== dataset.labels[row]) {
      picked++;
      if (ownWrong) pickedWrongOnItself++;
    }
  });
  const privateProbabilities = await predictIndices(dir, dataset, privateTest);
  const history = readJson<{epochs: {epoch: number}[]}>(path.join(dir, MODEL_FILES.history));
  return {
    name: path.basename(dir),
    architecture: metadata.architecture,
    holdout: {...holdout, faces: cut.holdout.length},
    trainedFaces: cut.kept.length,
    selectedEpoch: metadata.bestEpoch,
    epochsRun: history.epochs.length,
    secondsTrained: metadata.secondsTrained,
    holdoutAccuracy: scoreWhere(() => true).accuracy,
    copies: {identical: matches.filter((m) => m === "identical").length, near: matches.filter((m) => m === "near").length},
    withoutCopies: scoreWhere((k) => matches[k] === null),
    withCopies: scoreWhere((k) => matches[k] !== null),
    publicTestAccuracy: metadata.publicTestAccuracy,
    privateTestAccuracy: accuracy(privateProbabilities, labelsOf(dataset, privateTest)),
    hardExamplesCell: {rows: paired.length, picked, pickedWrongOnItself, wrongOnItself}
  };
}

async function main(): Promise<void> {
  const {flags, positionals} = parseFlags(process.argv.slice(2), {"seed-vgg": "string", "holdout-runs": "string", out: "string", data: "string", near: "number"}, USAGE);
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"; flags start with --`);
  const seedVgg = path.resolve(flags["seed-vgg"] ?? "src/models/seed-vgg");
  const runs = (flags["holdout-runs"] ?? "").split(",").filter(Boolean).map((dir) => path.resolve(dir));
  const out = path.resolve(flags.out ?? "src/data/original-project.json");
  const near = flags.near ?? NEAR_IDENTICAL_MEAN_DIFFERENCE;
  const progress = progressLine();
  const dataset = await loadFer2013({path: flags.data, onProgress: ({stage, done}) => progress.update(`loading fer2013: ${stage} ${done}`)});
  progress.done(`loaded fer2013: ${dataset.labels.length} faces`);

  const privateTest = splitIndices(dataset, "PrivateTest");
  const labels = labelsOf(dataset, privateTest);
  progress.done(`${path.basename(seedVgg)}: predicting PrivateTest`);
  const probabilities = await predictIndices(seedVgg, dataset, privateTest);
  const displayed = asDisplayed(probabilities, labels);
  const report: OriginalProjectReport = {
    createdAt: new Date().toISOString(),
    nearIdenticalMeanDifference: near,
    labelBug: {
      model: path.basename(seedVgg),
      split: "PrivateTest",
      faces: labels.length,
      accuracy: accuracy(probabilities, labels),
      displayedAccuracy: displayed.accuracy,
      confusion: confusionMatrix(labels, argmaxRows(probabilities, NUM_CLASSES), NUM_CLASSES),
      displayedConfusion: displayed.confusion,
      swapped: swappedLabels()
    },
    protocol: []
  };
  for (const dir of runs) report.protocol.push(await protocolRun(dir, dataset, near, (text) => progress.done(text)));
  writeJsonAtomic(out, report);
  progress.done(`wrote ${out}`);
  printJson(report);
}

runCli(main);
