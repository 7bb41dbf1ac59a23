// The model pages' loaders on a tiny model and a fer2013.csv written here: with the dataset they run the
// model over both test splits and must give exactly what `npm run evaluate` (the real CLI) wrote into
// evaluation.json; without it they read that file back. Also the faces kept per confusion-matrix cell,
// the sprite sheets, the archive the metrics page reads, the training runs and the architectures.

import {execFile} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {PNG} from "pngjs";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {EMOTIONS, NUM_CLASSES, SPLITS} from "../../src/lib/labels.js";
import {IMAGE_PIXELS, facePixels} from "../../src/lib/dataset.js";
import {createModel, modelSummary} from "../../src/lib/models/index.js";
import {MODEL_INPUT} from "../../src/lib/preprocess.js";
import {EVALUATION_SPLITS, type Evaluation, type History, type ModelMetadata} from "../../src/lib/model-folder.js";
import {loadFer2013, type LoadedFer2013} from "../../tools/fer2013.js";
import {modelArchitectures, modelEvaluations, readShippedEnsembles, readShippedModels, trainingRuns, type ModelEvaluationsResult} from "../../tools/model-loaders.js";
import type {ModelEvaluationsReport} from "../../src/lib/model-pages.js";
import {saveModelFolder} from "../../tools/model-io.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const PER_SPLIT = 42;

function run(file: string, args: string[], {cwd, env}: {cwd: string; env: NodeJS.ProcessEnv}): Promise<{code: number; stdout: Buffer; stderr: string}> {
  return new Promise((resolve) => {
    execFile(TSX, [file, ...args], {cwd, env, encoding: "buffer", maxBuffer: 256 << 20}, (error, stdout, stderr) =>
      resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr: stderr.toString()})
    );
  });
}

/** A fer2013.csv of PER_SPLIT faces per split: class k is a brightness band with seeded noise, so a model can tell some apart. */
function writeCsv(file: string): void {
  let seed = 11;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) >>> 16) % 60;
  const rows = SPLITS.flatMap((usage) =>
    Array.from({length: PER_SPLIT}, (_, i) => {
      const label = i % NUM_CLASSES;
      const pixels = Array.from({length: IMAGE_PIXELS}, (_, p) => Math.min(255, 20 + 30 * label + noise() + (p % 48 < 24 ? 10 : 0)));
      return `${label},${pixels.join(" ")},${usage}`;
    })
  );
  fs.writeFileSync(file, `emotion,pixels,Usage\n${rows.join("\n")}\n`);
}

/** A model folder as `npm run train` leaves it: tiny, untrained, with metadata.json and history.json. */
async function writeModelFolder(dir: string, {seed}: {seed: number}): Promise<void> {
  const model = createModel("tiny", {seed});
  const summary = modelSummary(model);
  await saveModelFolder(model, dir);
  model.dispose();
  const epochs = [1, 2, 3].map((epoch) => ({
    epoch, trainLoss: 2 - epoch / 10, trainAccuracy: 0.2 + epoch / 50, publicTestLoss: 1.9, publicTestAccuracy: [0.3, 0.35, 0.32][epoch - 1],
    lr: 3e-3, seconds: 2, imagesPerSecond: 50
  }));
  const metadata: ModelMetadata = {
    format: "fer-model/1", architecture: "tiny", labels: [...EMOTIONS], input: MODEL_INPUT, params: summary.params, flops: summary.flops,
    training: {
      model: "tiny", epochs: 3, batch: 8, seed, optimizer: "adam", lr: 3e-3, schedule: "constant", labelSmoothing: 0, classWeights: "none",
      mixup: 0, erasing: 0, patience: 5, limit: null, workers: 0, augment: {flip: 0, shift: 0, rotation: 0, scale: 0}
    },
    secondsTrained: 6, bestEpoch: 2, epochsRun: 3, publicTestAccuracy: 0.35, backend: "cpu",
    dataset: {trainingImages: PER_SPLIT, selectionSplit: "PublicTest", selectionImages: PER_SPLIT}, createdAt: "2026-01-01T00:00:00.000Z"
  };
  const history: History = {architecture: "tiny", epochs, bestEpoch: 2};
  fs.writeFileSync(path.join(dir, "metadata.json"), JSON.stringify(metadata));
  fs.writeFileSync(path.join(dir, "history.json"), JSON.stringify(history));
}

/** The members of an uncompressed tar archive. */
function untar(archive: Buffer): Map<string, Buffer> {
  const members = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= archive.length && archive[offset] !== 0; ) {
    const name = archive.subarray(offset, offset + 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(archive.subarray(offset + 124, offset + 136).toString("utf8"), 8);
    members.set(name, archive.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

describe("model report loaders on a tiny model and fixture data", () => {
  let dir: string;
  let csv: string;
  let modelsDir: string;
  let dataset: LoadedFer2013;
  let fromDataset: ModelEvaluationsResult;
  let fromCommitted: ModelEvaluationsResult;
  let committed: Record<string, Evaluation>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fer-model-report-"));
    csv = path.join(dir, "fer2013.csv");
    writeCsv(csv);
    modelsDir = path.join(dir, "models");
    await writeModelFolder(path.join(modelsDir, "small"), {seed: 1});
    await writeModelFolder(path.join(modelsDir, "other"), {seed: 2});
    fs.writeFileSync(path.join(modelsDir, "models.json"), JSON.stringify({default: "small", models: ["other", "small", {name: "pair", members: ["small", "other"]}]}));
    // `npm run calibration -- --write` gives "small" and the ensemble a temperature (fitted on these
    // PublicTest faces), which both the evaluator and the loaders must apply.
    const calibrate = await run(path.join(ROOT, "tools", "calibration.ts"), ["--models", ["small", "pair"].map((name) => path.join(modelsDir, name)).join(","), "--data", csv, "--write"], {cwd: dir, env: process.env});
    expect([calibrate.code, calibrate.stderr.split("\n").filter((line) => line.startsWith("error:"))]).toEqual([0, []]);
    // The real `npm run evaluate`, as a user runs it, writes each committed evaluation.json (the ensemble's
    // folder, which holds nothing else, is created).
    committed = {};
    for (const name of ["small", "other", "pair"]) {
      const cli = await run(path.join(ROOT, "tools", "evaluate.ts"), ["--model", path.join(modelsDir, name), "--data", csv, ...(name === "pair" ? ["--tta"] : [])], {cwd: dir, env: process.env});
      expect(cli.stderr.split("\n").filter((line) => line.startsWith("error:"))).toEqual([]);
      expect(cli.code).toBe(0);
      committed[name] = JSON.parse(fs.readFileSync(path.join(modelsDir, name, "evaluation.json"), "utf8"));
    }
    dataset = await loadFer2013({path: csv, cacheDir: path.join(dir, ".cache")});
    fromDataset = await modelEvaluations({modelsDir, dataset, perCell: 4, latency: false});
    fromCommitted = await modelEvaluations({modelsDir, latency: false});
  });

  afterAll(() => {
    fs.rmSync(dir, {recursive: true, force: true});
  });

  it("readShippedModels() lists models.json's models, default first, with their files", () => {
    const models = readShippedModels({modelsDir});
    expect(models.map((m) => [m.name, m.isDefault])).toEqual([["small", true], ["other", false]]);
    expect(models[0].weightBytes).toBe(fs.statSync(path.join(modelsDir, "small", "weights.bin")).size);
    expect(models[0].weightDtypes).toEqual(["float32"]);
  });

  it("modelEvaluations({dataset}) gives the numbers npm run evaluate wrote, and without the dataset reads them back", () => {
    for (const name of ["small", "other", "pair"]) {
      const live = fromDataset.report.models.find((m) => m.name === name)!;
      const read = fromCommitted.report.models.find((m) => m.name === name)!;
      expect([live.source, read.source]).toEqual(["fer2013", "committed"]);
      // The same predictor as npm run evaluate, on the same threads ("wasm+onednn x2" on two cores).
      expect(live.evaluation!.backend).toBe(committed[name].backend);
      for (const split of EVALUATION_SPLITS) {
        const cli = committed[name].splits[split];
        for (const evaluation of [live.evaluation!.splits[split], read.evaluation!.splits[split]]) {
          expect(evaluation.count).toBe(PER_SPLIT);
          expect(evaluation.confusion).toEqual(cli.confusion);
          expect(evaluation.perClass).toEqual(cli.perClass);
          expect(evaluation.accuracy).toBe(cli.accuracy);
          expect(evaluation.top2Accuracy).toBe(cli.top2Accuracy);
          expect(evaluation.macroF1).toBe(cli.macroF1);
          expect(evaluation.reliability.map((b) => b.count)).toEqual(cli.reliability.map((b) => b.count));
          // Probabilities may differ in the last float bits with the thread count of the convolutions.
          expect(evaluation.ece).toBeCloseTo(cli.ece, 5);
          expect(evaluation.loss).toBeCloseTo(cli.loss, 5);
        }
      }
    }
    expect(fromDataset.summary.map((row) => row.privateTest?.accuracy)).toEqual(fromCommitted.summary.map((row) => row.privateTest?.accuracy));
  });

  it("each model and ensemble is evaluated at its own calibrated temperature (npm run calibration -- --write), and 1 without one", () => {
    const temperatures = readShippedEnsembles({modelsDir}).map((e) => e.calibration?.temperature);
    const small = readShippedModels({modelsDir}).find((m) => m.name === "small")!.metadata.calibration?.temperature;
    expect(temperatures).toHaveLength(1);
    expect([small, temperatures[0]].every((t) => typeof t === "number" && t !== 1)).toBe(true);
    expect(["small", "other", "pair"].map((name) => committed[name].temperature)).toEqual([small, 1, temperatures[0]]);
  });

  it("an ensemble of models.json is evaluated as the mean of its members, listed after them with their summed sizes", () => {
    expect(committed.pair).toMatchObject({architecture: "ensemble", members: ["small", "other"], tta: true});
    expect(committed.pair.flipTta!.PrivateTest.count).toBe(PER_SPLIT);
    const {report, summary} = fromDataset;
    expect(report.models.map((m) => [m.name, m.architecture])).toEqual([["small", "tiny"], ["other", "tiny"], ["pair", "ensemble"]]);
    expect(report.models[2].members).toEqual(["small", "other"]);
    const [small, other, pair] = summary;
    expect(pair).toMatchObject({name: "pair", isDefault: false, members: ["small", "other"], params: small.params + other.params, flops: small.flops + other.flops, weightBytes: small.weightBytes + other.weightBytes});
    expect(pair.privateTestFlip!.accuracy).toBe(committed.pair.flipTta!.PrivateTest.accuracy);
    expect([small.members, other.members]).toEqual([null, null]);
    // Model folders only: the training and architecture pages have nothing to show for an ensemble.
    expect(readShippedModels({modelsDir}).map((m) => m.name)).toEqual(["small", "other"]);
    expect(readShippedEnsembles({modelsDir})).toMatchObject([{name: "pair", members: ["small", "other"], dir: path.join(modelsDir, "pair"), staleMembers: null}]);
  });

  it("a model whose calibration changed after npm run evaluate gets a warning naming the command that refreshes it", async () => {
    const recalibrated = path.join(dir, "models-recalibrated");
    fs.cpSync(modelsDir, recalibrated, {recursive: true});
    const file = path.join(recalibrated, "small", "metadata.json");
    const metadata = JSON.parse(fs.readFileSync(file, "utf8")) as ModelMetadata;
    const evaluated = metadata.calibration!.temperature;
    fs.writeFileSync(file, JSON.stringify({...metadata, calibration: {...metadata.calibration, temperature: 0.9}}));
    const lines: string[] = [];
    await modelEvaluations({modelsDir: recalibrated, dataset, latency: false, log: (line) => lines.push(line)});
    expect(lines.filter((line) => line.includes("temperature"))).toEqual([
      `model-evaluations: warning: ${path.join(recalibrated, "small", "evaluation.json")} was computed at temperature ${evaluated}, metadata.json's calibration says 0.9: ` +
        `its test-time options' confidences are stale; run npm run evaluate -- --model ${path.relative(process.cwd(), path.join(recalibrated, "small"))} --tta --crops`
    ]);
  });

  it("an ensemble whose evaluation.json was computed for other members is shown as not evaluated, never under the new members", async () => {
    // models.json's members changed (here, their order, which changes nothing but is not what was evaluated)
    // and npm run evaluate was not run again: the committed numbers are set aside, and the loader says so.
    const changed = path.join(dir, "models-changed");
    fs.cpSync(modelsDir, changed, {recursive: true});
    fs.writeFileSync(path.join(changed, "models.json"), JSON.stringify({default: "small", models: ["other", "small", {name: "pair", members: ["other", "small"]}]}));
    expect(readShippedEnsembles({modelsDir: changed})).toMatchObject([{name: "pair", members: ["other", "small"], evaluation: null, staleMembers: ["small", "other"]}]);
    const lines: string[] = [];
    const {report, summary} = await modelEvaluations({modelsDir: changed, latency: false, log: (line) => lines.push(line)});
    expect(report.models.find((m) => m.name === "pair")).toMatchObject({source: "none", evaluation: null});
    expect(summary.find((row) => row.name === "pair")).toMatchObject({privateTest: null, privateTestFlip: null});
    expect(lines.filter((line) => line.includes("set aside"))).toEqual([
      `model-evaluations: ${path.join(changed, "pair")}/evaluation.json is of small, other, models.json names other, small: set aside; run npm run evaluate -- --model ${path.relative(process.cwd(), path.join(changed, "pair"))} --tta --crops`
    ]);
  });

  it("npm run evaluate --public-only prints PublicTest alone and writes nothing; a folder that is neither model nor ensemble is refused", async () => {
    const before = fs.readFileSync(path.join(modelsDir, "pair", "evaluation.json"), "utf8");
    const cli = await run(path.join(ROOT, "tools", "evaluate.ts"), ["--model", path.join(modelsDir, "pair"), "--data", csv, "--public-only"], {cwd: dir, env: process.env});
    expect(cli.code).toBe(0);
    const printed = JSON.parse(cli.stdout.toString());
    expect(Object.keys(printed)).not.toContain("PrivateTest");
    expect(printed.PublicTest.accuracy).toBe(committed.pair.splits.PublicTest.accuracy);
    expect(fs.readFileSync(path.join(modelsDir, "pair", "evaluation.json"), "utf8")).toBe(before);
    const stray = await run(path.join(ROOT, "tools", "evaluate.ts"), ["--model", path.join(modelsDir, "stray"), "--data", csv], {cwd: dir, env: process.env});
    expect(stray.code).not.toBe(0);
    expect(stray.stderr).toContain(`model folder ${path.join(modelsDir, "stray")} does not exist`);
  });

  it("modelEvaluations({dataset, perCell}) keeps up to perCell faces per cell, each of the cell's true class", () => {
    const {report} = fromDataset;
    for (const model of report.models) {
      for (const split of EVALUATION_SPLITS) {
        const {confusion} = model.evaluation!.splits[split];
        model.cells![split].forEach((row, t) =>
          row.forEach((cell, p) => {
            expect(cell.length).toBe(Math.min(4, confusion[t][p]));
            for (const {face, p: probabilities} of cell) {
              expect(report.splits[split].faces[face].label).toBe(t);
              expect(probabilities.indexOf(Math.max(...probabilities))).toBe(p);
              expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
            }
          })
        );
      }
    }
  });

  it("modelEvaluations({dataset}) packs each kept face into its split's sprite sheet at the tile it names", () => {
    const {report, sprites} = fromDataset;
    const rowOf = new Map(dataset.ids.map((id, row) => [id, row]));
    for (const split of EVALUATION_SPLITS) {
      const sheet = sprites![split];
      const {faces} = report.splits[split];
      expect(faces.length).toBeGreaterThan(0);
      for (const face of faces) {
        const row = rowOf.get(face.id)!;
        expect(SPLITS[dataset.splits[row]]).toBe(split);
        const tile = new Uint8Array(IMAGE_PIXELS);
        for (let y = 0; y < 48; y++) tile.set(sheet.pixels.subarray((face.y + y) * sheet.width + face.x, (face.y + y) * sheet.width + face.x + 48), y * 48);
        expect(tile).toEqual(facePixels(dataset, row));
      }
    }
  });

  it("modelEvaluations() without the dataset shows no faces and says so", () => {
    const {report, sprites} = fromCommitted;
    expect(report.facesAvailable).toBe(false);
    expect(sprites).toBeNull();
    expect(report.models.every((m) => m.cells === null)).toBe(true);
    expect(report.splits.PrivateTest.faces).toEqual([]);
  });

  it("src/data/model-evaluations.tar.ts, run as Framework runs it, writes the archive the metrics page reads", async () => {
    const env = {...process.env, FER2013_PATH: csv, FER_MODELS_DIR: modelsDir};
    const loader = await run(path.join(ROOT, "src", "data", "model-evaluations.tar.ts"), [], {cwd: dir, env});
    expect(loader.code).toBe(0);
    const members = untar(loader.stdout);
    expect([...members.keys()]).toEqual(["evaluations.json", "summary.json", "faces-PublicTest.png", "faces-PrivateTest.png"]);
    const report: ModelEvaluationsReport = JSON.parse(members.get("evaluations.json")!.toString());
    expect(report.facesAvailable).toBe(true);
    expect(report.models.map((m) => m.evaluation!.splits.PrivateTest.accuracy)).toEqual(["small", "other", "pair"].map((name) => committed[name].splits.PrivateTest.accuracy));
    const png = PNG.sync.read(members.get("faces-PrivateTest.png")!);
    expect([png.width, png.height]).toEqual([report.splits.PrivateTest.width, report.splits.PrivateTest.height]);
    const summary = JSON.parse(members.get("summary.json")!.toString());
    expect(summary.map((row: {name: string; latencyMs: number}) => [row.name, row.latencyMs > 0])).toEqual([["small", true], ["other", true], ["pair", true]]);
    // One face through each member in turn.
    expect(summary[2].latencyMs).toBeCloseTo(summary[0].latencyMs + summary[1].latencyMs, 2);
  });

  it("trainingRuns() gives each run's configuration, history, selected epoch and schedule", () => {
    const [small] = trainingRuns({modelsDir});
    expect(small.name).toBe("small");
    expect(small.selected?.epoch).toBe(2);
    expect(small.history?.epochs).toHaveLength(3);
    expect(small.learningRate[0]).toEqual({epoch: 0, lr: 3e-3});
  });

  it("modelArchitectures() lists every layer of the model with the totals of modelSummary", async () => {
    const [small] = await modelArchitectures({modelsDir});
    const model = createModel("tiny");
    const expected = modelSummary(model);
    model.dispose();
    expect(small.summary.layers.map((l) => [l.name, l.type, l.outputShape, l.params, l.flops])).toEqual(
      expected.layers.map((l) => [l.name, l.type, l.outputShape, l.params, l.flops])
    );
    expect(small.blocks.map((b) => b.layer)).toEqual(["block1_conv1_relu", "block2_conv1_relu"]);
  });
});
