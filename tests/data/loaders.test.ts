// The dataset explorer's loaders, run as Framework runs them (a tsx subprocess, result on stdout), on a
// tiny fer2013.csv written here, and without any dataset (the committed snapshot).

import {execFile} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {PNG} from "pngjs";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {EMOTIONS, OFFICIAL_COUNTS, SPLITS} from "../../src/lib/labels.js";
import {IMAGE_PIXELS} from "../../src/lib/dataset.js";
import {AGGREGATES, readSnapshot, type AggregateName} from "../../tools/dataset-loaders.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

interface LoaderRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs src/data/<name>.ts in `cwd` (where its .cache/ and data/ are looked for), FER2013_PATH as given. */
function runLoader(name: string, {cwd, fer2013Path}: {cwd: string; fer2013Path?: string}): Promise<LoaderRun> {
  const env = {...process.env};
  delete env.FER2013_PATH;
  if (fer2013Path !== undefined) env.FER2013_PATH = fer2013Path;
  return new Promise((resolve) => {
    execFile(TSX, [path.join(ROOT, "src", "data", `${name}.ts`)], {cwd, env, encoding: "buffer", maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr: stderr.toString()});
    });
  });
}

// Seven faces: two happy and one disgust in Training (one of them twice, byte for byte, once in
// PublicTest), a flat grey face in PublicTest, and one face in PrivateTest.
const ROWS: Array<[number, number, string]> = [
  // [emotion index, pixel seed, Usage]
  [3, 1, "Training"], [3, 2, "Training"], [1, 3, "Training"], [3, 1, "PublicTest"], [6, -1, "PublicTest"], [4, 4, "PrivateTest"]
];
const pixelsOf = (seed: number) => Array.from({length: IMAGE_PIXELS}, (_, k) => (seed < 0 ? 128 : (k * seed * 7 + seed * 31) % 256));

describe("dataset explorer loaders", () => {
  let dir: string;
  let csv: string;
  let empty: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fer-loaders-"));
    csv = path.join(dir, "fer2013.csv");
    fs.writeFileSync(csv, `emotion,pixels,Usage\n${ROWS.map(([emotion, seed, usage]) => `${emotion},${pixelsOf(seed).join(" ")},${usage}`).join("\n")}\n`);
    empty = fs.mkdtempSync(path.join(os.tmpdir(), "fer-no-data-"));
  });

  afterAll(() => {
    fs.rmSync(dir, {recursive: true, force: true});
    fs.rmSync(empty, {recursive: true, force: true});
  });

  it("class-distribution.json with FER2013_PATH=fer2013.csv prints that file's counts, source fer2013", async () => {
    const run = await runLoader("class-distribution.json", {cwd: dir, fer2013Path: csv});
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout.toString());
    expect(output.source).toBe("fer2013");
    expect(output.counts.Training).toMatchObject({happy: 2, disgust: 1, angry: 0});
    expect(output.counts.PublicTest).toMatchObject({happy: 1, neutral: 1});
    expect(output.counts.PrivateTest.sad).toBe(1);
    expect(run.stderr).toContain("fer2013: 6 faces");
  });

  it("data-quality.json finds the cross-split duplicate and the flat face of the fixture", async () => {
    const run = await runLoader("data-quality.json", {cwd: dir, fer2013Path: csv});
    expect(run.code).toBe(0);
    const {duplicates, nearBlank} = JSON.parse(run.stdout.toString());
    expect(duplicates.groups).toBe(1);
    expect(duplicates.acrossSplits["Training+PublicTest"]).toBe(1);
    expect(duplicates.testFacesInTraining.PublicTest).toBe(1);
    expect(nearBlank.total).toBe(1);
    expect(nearBlank.counts.PublicTest.neutral).toBe(1);
  });

  it("face-sprite.png and face-sprite.json describe the same sheet: every face at its place", async () => {
    const [png, json] = await Promise.all([
      runLoader("face-sprite.png", {cwd: dir, fer2013Path: csv}),
      runLoader("face-sprite.json", {cwd: dir, fer2013Path: csv})
    ]);
    expect([png.code, json.code]).toEqual([0, 0]);
    const index = JSON.parse(json.stdout.toString());
    const image = PNG.sync.read(png.stdout);
    expect(index.available).toBe(true);
    expect([image.width, image.height]).toEqual([index.width, index.height]);
    expect(index.faces.filter((f: {section: string}) => f.section === "sample")).toHaveLength(6);
    expect(index.faces.filter((f: {section: string}) => f.section === "duplicate")).toHaveLength(1);
    expect(index.faces.filter((f: {section: string}) => f.section === "near-blank")).toHaveLength(1);
    // The near-blank tile is the flat grey face: 128 at its centre (PNG data is RGBA after decoding).
    const blank = index.faces.find((f: {section: string}) => f.section === "near-blank");
    expect(image.data[((blank.y + 24) * image.width + blank.x + 24) * 4]).toBe(128);
  });

  it("without a dataset, the aggregate loaders print the committed snapshot, source snapshot", async () => {
    const run = await runLoader("class-distribution.json", {cwd: empty});
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout.toString());
    expect(output.source).toBe("snapshot");
    expect(output.counts).toEqual(OFFICIAL_COUNTS);
    expect(run.stderr).toContain("using the committed snapshot");
  });

  it("without a dataset, face-sprite.json says the faces are not available and face-sprite.png is a 1x1 image", async () => {
    const [png, json] = await Promise.all([runLoader("face-sprite.png", {cwd: empty}), runLoader("face-sprite.json", {cwd: empty})]);
    expect(JSON.parse(json.stdout.toString())).toMatchObject({available: false, faces: []});
    const image = PNG.sync.read(png.stdout);
    expect([image.width, image.height]).toEqual([1, 1]);
  });

  it("with FER2013_PATH pointing nowhere, a loader prints one error line and exits 1 instead of using the snapshot", async () => {
    const run = await runLoader("mean-faces.json", {cwd: empty, fer2013Path: path.join(empty, "missing.csv")});
    expect(run.code).toBe(1);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: FER2013_PATH=.*missing\.csv does not exist/);
  });
});

describe("the committed snapshot (src/data/snapshot)", () => {
  it("holds the same fields as the live aggregates, for every aggregate", () => {
    const tiny = {
      pixels: new Uint8Array(2 * IMAGE_PIXELS).fill(9),
      labels: Uint8Array.from([0, 1]),
      splits: Uint8Array.from([0, 2]),
      ids: ["a", "b"]
    };
    for (const name of Object.keys(AGGREGATES) as AggregateName[]) {
      expect(Object.keys(readSnapshot(name)).sort(), name).toEqual(Object.keys(AGGREGATES[name](tiny)).sort());
    }
  });

  it("class-distribution.json and mean-faces.json agree with FER2013's official counts", () => {
    const {counts} = readSnapshot("class-distribution") as {counts: unknown};
    expect(counts).toEqual(OFFICIAL_COUNTS);
    const {faces} = readSnapshot("mean-faces") as {faces: {split: string; emotion: string; count: number}[]};
    for (const split of SPLITS) {
      for (const emotion of EMOTIONS) {
        expect(faces.find((f) => f.split === split && f.emotion === emotion)?.count).toBe(OFFICIAL_COUNTS[split][emotion]);
      }
    }
  });
});
