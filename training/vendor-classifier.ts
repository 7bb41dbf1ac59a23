// Stages the classifier page's binary assets under src/vendor/ at fixed names, so the page can name them
// in FileAttachment (which takes literal paths only) and no request leaves the site:
// - face-api's tiny face detector and expression-model weights, copied from node_modules;
// - the default model named by src/models/models.json, its weight shards joined into one weights.bin,
//   with model-info.json {name, models, metadata, evaluation} beside it;
// - the page's own code (src/components/classifier/index.ts and what it imports) bundled into one module,
//   since Framework 1.13 does not follow the `.ts` import specifiers of our TypeScript modules.
// It runs in the vendor step before every build, so swapping the default model needs no cache clearing.

import {build} from "esbuild";
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";

/** face-api models the page serves: the detector it always uses and the expression model it compares with. */
export const FACE_API_MODELS = ["tiny_face_detector_model", "face_expression_model"] as const;

interface WeightsGroup {
  paths: string[];
  weights: unknown[];
}

function writeIfChanged(path: string, contents: Uint8Array | string): boolean {
  const bytes = typeof contents === "string" ? Buffer.from(contents) : contents;
  if (existsSync(path) && Buffer.compare(readFileSync(path), bytes) === 0) return false;
  writeFileSync(path, bytes);
  return true;
}

function readJson(path: string, expected: string): any {
  if (!existsSync(path)) throw new Error(`missing ${path}: expected ${expected}`);
  try {
    return JSON.parse(readFileSync(path, "utf-8"));
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${error instanceof Error ? error.message : error})`);
  }
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

/** The default model's name and the names of every shipped model, from models.json. */
export function readModelsIndex(modelsDir: string): {default: string; models: string[]} {
  const path = join(modelsDir, "models.json");
  const index = readJson(path, "{default: NAME, models: [...]} (train a model, or run tsx training/placeholder-model.ts)");
  const models = (Array.isArray(index.models) ? index.models : []).map((m: unknown) =>
    typeof m === "string" ? m : (m as {name?: string})?.name
  );
  if (typeof index.default !== "string" || !index.default) throw new Error(`${path}: "default" must name a model, got ${JSON.stringify(index.default)}`);
  return {default: index.default, models: models.filter((m: unknown): m is string => typeof m === "string")};
}

function stageDefaultModel(root: string, outDir: string): boolean {
  const modelsDir = join(root, "src", "models");
  const index = readModelsIndex(modelsDir);
  const folder = join(modelsDir, index.default);
  const model = readJson(join(folder, "model.json"), `the tfjs layers model of "${index.default}" named default in models.json`);
  const groups: WeightsGroup[] = model.weightsManifest;
  if (!Array.isArray(groups)) throw new Error(`${join(folder, "model.json")}: expected a weightsManifest array`);
  const shards = groups.flatMap((group) =>
    group.paths.map((shard) => {
      const path = join(folder, shard);
      if (!existsSync(path)) throw new Error(`missing ${path}: named by ${join(folder, "model.json")}`);
      return readFileSync(path);
    })
  );
  const staged = {...model, weightsManifest: [{paths: ["weights.bin"], weights: groups.flatMap((group) => group.weights)}]};
  const optional = (file: string) => (existsSync(join(folder, file)) ? readJson(join(folder, file), file) : null);
  const info = {
    name: index.default,
    models: index.models,
    metadata: optional("metadata.json"),
    evaluation: optional("evaluation.json")
  };
  mkdirSync(outDir, {recursive: true});
  const changedModel = writeIfChanged(join(outDir, "model.json"), JSON.stringify(staged));
  const changedWeights = writeIfChanged(join(outDir, "weights.bin"), Buffer.concat(shards));
  const changedInfo = writeIfChanged(join(outDir, "model-info.json"), JSON.stringify(info));
  return changedModel || changedWeights || changedInfo;
}

async function bundleApp(root: string, outFile: string): Promise<boolean> {
  const result = await build({
    entryPoints: [join(root, "src", "components", "classifier", "index.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    legalComments: "none",
    logLevel: "error"
  });
  mkdirSync(dirname(outFile), {recursive: true});
  return writeIfChanged(outFile, result.outputFiles[0].contents);
}

/**
 * Stages face-api's weights in VENDOR/face-api/, the default model in VENDOR/classifier/ and the page's
 * code as VENDOR/classifier/app.js; returns what changed.
 */
export async function stageClassifierAssets(root: string, vendorDir: string): Promise<string[]> {
  return [
    stageFaceApi(root, join(vendorDir, "face-api")) && "face-api/",
    stageDefaultModel(root, join(vendorDir, "classifier")) && "classifier/",
    (await bundleApp(root, join(vendorDir, "classifier", "app.js"))) && "classifier/app.js"
  ].filter((name): name is string => Boolean(name));
}
