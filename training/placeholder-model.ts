// Writes an UNTRAINED model of the default architecture to src/models/<name>/ and names it default in
// src/models/models.json, so the classifier page builds and runs before a trained model is shipped.
// Its predictions are meaningless; it has no evaluation.json, so the page says "not yet evaluated".
// Usage: tsx training/placeholder-model.ts [--model NAME] [--force]

import fs from "node:fs";
import path from "node:path";
import {parseArgs} from "node:util";
import {DEFAULT_MODEL, createModel, modelSpec, modelSummary} from "../src/lib/models/index.ts";
import {EMOTIONS} from "../src/lib/labels.ts";
import {MODEL_FILES, type ModelMetadata} from "../src/lib/model-folder.ts";
import {MODEL_INPUT} from "../src/lib/preprocess.ts";
import {saveModelFolder, writeJsonAtomic} from "./model-io.ts";

const MODELS_DIR = path.join(import.meta.dirname, "..", "src", "models");

async function main(): Promise<void> {
  const {values} = parseArgs({options: {model: {type: "string", default: DEFAULT_MODEL}, force: {type: "boolean", default: false}}});
  const name = values.model!;
  const spec = modelSpec(name);
  const dir = path.join(MODELS_DIR, name);
  if (fs.existsSync(path.join(dir, MODEL_FILES.evaluation)) && !values.force) {
    throw new Error(`${dir} holds an evaluated model: refusing to overwrite it with an untrained one (pass --force)`);
  }
  const model = createModel(name, {seed: 1});
  const summary = modelSummary(model);
  await saveModelFolder(model, dir);
  const metadata: ModelMetadata & {placeholder: true} = {
    format: "fer-model/1",
    architecture: name,
    labels: [...EMOTIONS],
    input: MODEL_INPUT,
    params: summary.params,
    flops: summary.flops,
    training: {
      model: name, epochs: 0, batch: spec.training.batch, seed: 1, optimizer: spec.training.optimizer, lr: spec.training.lr,
      schedule: spec.training.schedule, labelSmoothing: spec.training.labelSmoothing, classWeights: "none", mixup: 0, erasing: 0,
      patience: spec.training.patience, limit: 0, workers: 0, augment: {flip: 0, shift: 0, rotation: 0, scale: 0}
    },
    secondsTrained: 0,
    bestEpoch: 0,
    epochsRun: 0,
    publicTestAccuracy: 0,
    backend: "none",
    dataset: {trainingImages: 0, selectionSplit: "PublicTest", selectionImages: 0},
    createdAt: new Date().toISOString(),
    placeholder: true
  };
  writeJsonAtomic(path.join(dir, MODEL_FILES.metadata), metadata);
  const indexFile = path.join(MODELS_DIR, "models.json");
  const index = fs.existsSync(indexFile) ? JSON.parse(fs.readFileSync(indexFile, "utf8")) : {default: name, models: []};
  if (!index.models.includes(name)) index.models.push(name);
  writeJsonAtomic(indexFile, {...index, default: index.default ?? name});
  process.stdout.write(JSON.stringify({model: name, dir: path.relative(process.cwd(), dir), params: summary.params, placeholder: true}) + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
