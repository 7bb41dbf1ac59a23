// Stages the classifier page's binary assets under src/vendor/ at fixed names, so the page can name them
// in FileAttachment (which takes literal paths only) and no request leaves the site:
// - face-api's expression-model weights (the page's point of comparison), copied from node_modules;
// - the default model named by src/models/models.json, its weight shards joined into one weights.bin,
//   with model-info.json {name, models, metadata, evaluation} beside it.
// It runs in the vendor step before every build, so swapping the default model needs no cache clearing.

import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";
import {joinedModelJson} from "../src/lib/model-artifacts.js";
import {MODEL_FILES} from "../src/lib/model-folder.js";
import {readModelArtifacts, readModelsIndex, readOptionalJson} from "./model-io.js";

/** face-api models the page serves: the expression model it compares with (the faces are found by BlazeFace, src/detectors). */
export const FACE_API_MODELS = ["face_expression_model"] as const;

function writeIfChanged(path: string, contents: Uint8Array | string): boolean {
  const bytes = typeof contents === "string" ? Buffer.from(contents) : contents;
  if (existsSync(path) && Buffer.compare(readFileSync(path), bytes) === 0) return false;
  writeFileSync(path, bytes);
  return true;
}

function stageFaceApi(root: string, outDir: string): boolean {
  const require = createRequire(join(root, "package.json"));
  const modelDir = join(dirname(require.resolve("@vladmandic/face-api/package.json")), "model");
  mkdirSync(outDir, {recursive: true});
  let changed = false;
  for (const name of FACE_API_MODELS) {
    for (const file of [`${name}-weights_manifest.json`, `${name}.bin`]) {
      const source = join(modelDir, file);
      if (!existsSync(source)) throw new Error(`missing ${source}: expected @vladmandic/face-api in node_modules (run npm ci)`);
      changed = writeIfChanged(join(outDir, file), readFileSync(source)) || changed;
    }
  }
  return changed;
}

function stageDefaultModel(root: string, outDir: string): boolean {
  const modelsDir = join(root, "src", "models");
  const index = readModelsIndex(modelsDir);
  const folder = join(modelsDir, index.default);
  const {modelJson, weightData} = readModelArtifacts(folder);
  const info = {
    name: index.default,
    models: index.models,
    metadata: readOptionalJson(join(folder, MODEL_FILES.metadata)),
    evaluation: readOptionalJson(join(folder, MODEL_FILES.evaluation))
  };
  mkdirSync(outDir, {recursive: true});
  const changedModel = writeIfChanged(join(outDir, "model.json"), JSON.stringify(joinedModelJson(modelJson)));
  const changedWeights = writeIfChanged(join(outDir, "weights.bin"), new Uint8Array(weightData));
  const changedInfo = writeIfChanged(join(outDir, "model-info.json"), JSON.stringify(info));
  return changedModel || changedWeights || changedInfo;
}

/** Stages face-api's weights in VENDOR/face-api/ and the default model in VENDOR/classifier/; returns what changed. */
export function stageClassifierAssets(root: string, vendorDir: string): string[] {
  return [
    stageFaceApi(root, join(vendorDir, "face-api")) && "face-api/",
    stageDefaultModel(root, join(vendorDir, "classifier")) && "classifier/"
  ].filter((name): name is string => Boolean(name));
}
