import {afterAll, afterEach, beforeAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {spawnSync} from "node:child_process";
import jpeg from "jpeg-js";
import {PNG} from "pngjs";
import {
  decodeFaceImage,
  fer2013Available,
  loadFer2013,
  readFer2013Csv,
  readFer2013Folder,
  resolveFer2013Path
} from "../../tools/fer2013.js";
import {IMAGE_PIXELS} from "../../src/lib/dataset.js";
import {EMOTIONS, SPLITS} from "../../src/lib/labels.js";

const PROJECT = process.cwd();
let temp: string;
beforeAll(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer2013-test-"));
});
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

let counter = 0;
function freshDir(name: string): string {
  const dir = path.join(temp, `${name}-${counter++}`);
  fs.mkdirSync(dir, {recursive: true});
  return dir;
}

/** A 48x48 grey face whose pixel k is (seed + k) % 256. */
function greyFace(seed: number): Uint8Array {
  return Uint8Array.from({length: IMAGE_PIXELS}, (_, k) => (seed + k) % 256);
}

function pngBytes(grey: Uint8Array, {width = 48, height = 48, rgb}: {width?: number; height?: number; rgb?: [number, number, number]} = {}): Buffer {
  const png = new PNG({width, height});
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = rgb ?? [grey[i % grey.length], grey[i % grey.length], grey[i % grey.length]];
    png.data.set([r, g, b, 255], i * 4);
  }
  return PNG.sync.write(png);
}

function jpegBytes(level: number, size = 48): Buffer {
  return jpeg.encode({width: size, height: size, data: new Uint8Array(size * size * 4).fill(level)}, 95).data;
}

function write(root: string, files: Record<string, Uint8Array | string>): string {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), {recursive: true});
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

/** The Kaggle image-folder layout in miniature: PNG and JPEG faces in both splits. */
function kaggleFolders(): string {
  return write(freshDir("folders"), {
    "train/sad/Training_2.png": pngBytes(greyFace(2)),
    "train/angry/Training_1.png": pngBytes(greyFace(1)),
    "train/neutral/Training_3.jpg": jpegBytes(200),
    "test/happy/PublicTest_4.png": pngBytes(greyFace(4)),
    "test/surprise/PrivateTest_5.jpeg": jpegBytes(40),
    "README.md": "not a face",
    "train/sad/.DS_Store": "finder"
  });
}

function csvText(rows: Array<[number, string, Uint8Array]>): string {
  return ["emotion,pixels,Usage", ...rows.map(([label, usage, face]) => `${label},${Array.from(face).join(" ")},${usage}`)].join("\n") + "\n";
}

function meanAbsDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe("readFer2013Folder", () => {
  it("readFer2013Folder(root) reads train/ and test/ class folders, labels by name and splits by prefix", () => {
    const dataset = readFer2013Folder(kaggleFolders());
    expect(dataset.ids).toEqual([
      "test/happy/PublicTest_4.png",
      "test/surprise/PrivateTest_5.jpeg",
      "train/angry/Training_1.png",
      "train/neutral/Training_3.jpg",
      "train/sad/Training_2.png"
    ]);
    expect(Array.from(dataset.labels, (label) => EMOTIONS[label])).toEqual(["happy", "surprise", "angry", "neutral", "sad"]);
    expect(Array.from(dataset.splits, (split) => SPLITS[split])).toEqual(["PublicTest", "PrivateTest", "Training", "Training", "Training"]);
    expect(dataset.labels[4]).toBe(4); // sad is 4 in fer2013.csv's order, though 5th alphabetically
  });

  it("readFer2013Folder(root) keeps png pixels exactly and jpeg pixels within jpeg's loss", () => {
    const dataset = readFer2013Folder(kaggleFolders());
    expect(dataset.pixels.subarray(2 * IMAGE_PIXELS, 3 * IMAGE_PIXELS)).toEqual(greyFace(1));
    const jpegFace = dataset.pixels.subarray(3 * IMAGE_PIXELS, 4 * IMAGE_PIXELS);
    expect(meanAbsDifference(jpegFace, new Uint8Array(IMAGE_PIXELS).fill(200))).toBeLessThan(2);
  });

  it("readFer2013Folder(root) skips files beside the folders (a README) and hidden files, as the README says", () => {
    const root = kaggleFolders();
    write(root, {"LICENSE.txt": "CC", "train/README.md": "notes", ".DS_Store": "finder"});
    expect(readFer2013Folder(root).ids).toHaveLength(5);
  });

  it("readFer2013Folder(root) reads a folder that holds the class folders directly", () => {
    const root = path.join(kaggleFolders(), "train");
    const dataset = readFer2013Folder(root);
    expect(dataset.ids).toEqual(["angry/Training_1.png", "neutral/Training_3.jpg", "sad/Training_2.png"]);
    expect(Array.from(dataset.labels)).toEqual([0, 6, 4]);
  });

  it("readFer2013Folder(root) converts a colour image to grey with the BT.601 weights", () => {
    const root = write(freshDir("colour"), {"train/fear/Training_9.png": pngBytes(greyFace(0), {rgb: [200, 100, 50]})});
    const dataset = readFer2013Folder(root);
    expect(dataset.pixels[0]).toBe(Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50));
  });

  const rejects: Array<[string, Record<string, Uint8Array | string>, RegExp]> = [
    ["an image that is not 48x48", {"train/sad/Training_1.png": pngBytes(greyFace(0), {width: 64, height: 48})}, /train\/sad\/Training_1\.png: image is 64x48, expected 48x48/],
    ["a corrupt jpeg", {"train/sad/Training_1.jpg": jpegBytes(100).subarray(0, 300)}, /train\/sad\/Training_1\.jpg: corrupt jpeg/],
    ["a corrupt png", {"train/sad/Training_1.png": pngBytes(greyFace(0)).subarray(0, 60)}, /train\/sad\/Training_1\.png: corrupt png/],
    ["a file that is no image", {"train/sad/Training_1.jpg": "hello"}, /train\/sad\/Training_1\.jpg: not a jpeg or png image/],
    ["an unknown class folder", {"train/contempt/Training_1.png": pngBytes(greyFace(0))}, /train\/contempt: unknown class folder "contempt", expected one of angry/],
    ["an unknown top folder", {"validation/sad/x.png": pngBytes(greyFace(0))}, /validation: unknown folder "validation", expected train\/ and test\//],
    ["a file of another type in a class folder", {"train/sad/notes.txt": "x"}, /train\/sad\/notes\.txt: unsupported file, expected \.jpg, \.jpeg or \.png/],
    ["a test/ image without a split prefix", {"test/sad/face.png": pngBytes(greyFace(0))}, /test\/sad\/face\.png: cannot tell PublicTest from PrivateTest/],
    ["class folders without images", {"train/sad/.keep": "", "test/happy/.keep": ""}, /holds no \.jpg or \.png faces/]
  ];
  for (const [what, files, message] of rejects) {
    it(`readFer2013Folder(root) rejects ${what}`, () => {
      const root = write(freshDir("bad"), files);
      expect(() => readFer2013Folder(root)).toThrow(message);
    });
  }

  it("readFer2013Folder(root) rejects a folder with no image folders, and a missing path", () => {
    expect(() => readFer2013Folder(freshDir("empty"))).toThrow(/holds no image folders, expected train\/ and test\//);
    expect(() => readFer2013Folder(path.join(temp, "nowhere"))).toThrow(/nowhere does not exist/);
  });

  it("decodeFaceImage(bytes, file) decodes a 48x48 jpeg to 2304 grey levels", () => {
    const face = decodeFaceImage(jpegBytes(128), "face.jpg");
    expect(face.length).toBe(IMAGE_PIXELS);
    expect(Math.abs(face[100] - 128)).toBeLessThanOrEqual(2);
  });
});

describe("readFer2013Csv", () => {
  it("readFer2013Csv(file) streams a fer2013.csv from disk", async () => {
    const file = path.join(freshDir("csv"), "fer2013.csv");
    fs.writeFileSync(file, csvText([[4, "Training", greyFace(4)], [1, "PrivateTest", greyFace(1)]]));
    const dataset = await readFer2013Csv(file);
    expect(Array.from(dataset.labels)).toEqual([4, 1]);
    expect(dataset.pixels.subarray(IMAGE_PIXELS)).toEqual(greyFace(1));
    expect(dataset.ids).toEqual(["fer2013.csv:2", "fer2013.csv:3"]);
  });

  it("readFer2013Csv(file) names the file and line of a bad row", async () => {
    const file = path.join(freshDir("csv"), "fer2013.csv");
    fs.writeFileSync(file, csvText([[4, "Training", greyFace(4)], [1, "Training", greyFace(1).subarray(1)]]));
    await expect(readFer2013Csv(file)).rejects.toThrow(`${file} line 3: found 2303 pixels, expected 2304`);
  });
});

describe("loadFer2013", () => {
  it("loadFer2013({path, cacheDir}) fills the binary cache, then returns identical arrays from it", async () => {
    const root = kaggleFolders();
    const cacheDir = freshDir("cache");
    const first = await loadFer2013({path: root, cacheDir});
    const second = await loadFer2013({path: root, cacheDir});
    expect([first.cached, second.cached]).toEqual([false, true]);
    expect(second.pixels).toEqual(first.pixels);
    expect(second.labels).toEqual(first.labels);
    expect(second.splits).toEqual(first.splits);
    expect(second.ids).toEqual(first.ids);
    expect({source: second.source, layout: second.layout}).toEqual({source: root, layout: "folders"});
    expect(fs.readdirSync(cacheDir).filter((name) => name.endsWith(".bin"))).toHaveLength(1);
    expect(fs.readdirSync(cacheDir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("loadFer2013() reads the folders again when an image is added, removed or moved", async () => {
    const root = kaggleFolders();
    const cacheDir = freshDir("cache");
    await loadFer2013({path: root, cacheDir});
    write(root, {"train/fear/Training_7.png": pngBytes(greyFace(7))});
    const added = await loadFer2013({path: root, cacheDir});
    expect([added.cached, added.ids.length]).toEqual([false, 6]);
    fs.mkdirSync(path.join(root, "train/happy"));
    fs.renameSync(path.join(root, "train/fear/Training_7.png"), path.join(root, "train/happy/Training_7.png"));
    const moved = await loadFer2013({path: root, cacheDir});
    expect(moved.cached).toBe(false);
    expect(EMOTIONS[moved.labels[moved.ids.indexOf("train/happy/Training_7.png")]]).toBe("happy");
  });

  it("loadFer2013() caches a fer2013.csv and rebuilds a damaged cache", async () => {
    const dir = freshDir("csv");
    const file = path.join(dir, "fer2013.csv");
    fs.writeFileSync(file, csvText([[6, "PublicTest", greyFace(6)]]));
    const cacheDir = freshDir("cache");
    const first = await loadFer2013({path: file, cacheDir});
    const [cacheFile] = fs.readdirSync(cacheDir);
    fs.truncateSync(path.join(cacheDir, cacheFile), 100);
    const rebuilt = await loadFer2013({path: file, cacheDir});
    const cached = await loadFer2013({path: file, cacheDir});
    expect([first.cached, rebuilt.cached, cached.cached]).toEqual([false, false, true]);
    expect(cached.layout).toBe("csv");
    expect(cached.pixels).toEqual(first.pixels);
  });

  it("loadFer2013({path: folder}) reads a fer2013.csv inside a folder without image folders", async () => {
    const dir = freshDir("kaggle-challenge");
    fs.writeFileSync(path.join(dir, "fer2013.csv"), csvText([[2, "Training", greyFace(2)]]));
    const dataset = await loadFer2013({path: dir, cacheDir: freshDir("cache")});
    expect([dataset.layout, dataset.ids[0]]).toEqual(["csv", "fer2013.csv:2"]);
  });
});

describe("resolveFer2013Path", () => {
  const savedEnv = process.env.FER2013_PATH;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.FER2013_PATH;
    else process.env.FER2013_PATH = savedEnv;
    process.chdir(PROJECT);
  });

  it("resolveFer2013Path(path) prefers the path given, then FER2013_PATH", () => {
    const a = freshDir("a"), b = freshDir("b");
    process.env.FER2013_PATH = b;
    expect(resolveFer2013Path(a)).toBe(a);
    expect(resolveFer2013Path()).toBe(b);
  });

  it("resolveFer2013Path() falls back to data/fer2013, then data/fer2013.csv, in the project root", () => {
    delete process.env.FER2013_PATH;
    const project = freshDir("project");
    process.chdir(project);
    write(project, {"data/fer2013.csv": "emotion,pixels,Usage\n"});
    expect(resolveFer2013Path()).toBe(path.join(project, "data/fer2013.csv"));
    fs.mkdirSync(path.join(project, "data/fer2013"));
    expect(resolveFer2013Path()).toBe(path.join(project, "data/fer2013"));
  });

  it("resolveFer2013Path() says where to get FER2013 and how to set FER2013_PATH when nothing is found", () => {
    delete process.env.FER2013_PATH;
    process.chdir(freshDir("bare"));
    expect(() => resolveFer2013Path()).toThrow(/fer2013 not found: .*kaggle\.com.*set FER2013_PATH=/);
    expect(fer2013Available()).toBe(false);
  });

  it("resolveFer2013Path() names a FER2013_PATH that does not exist instead of falling back", () => {
    process.env.FER2013_PATH = path.join(temp, "missing");
    expect(() => resolveFer2013Path()).toThrow(`FER2013_PATH=${path.join(temp, "missing")} does not exist`);
    expect(fer2013Available()).toBe(false);
  });
});

describe("npm run ingest", () => {
  const tsx = path.join(PROJECT, "node_modules/.bin/tsx");
  const ingest = path.join(PROJECT, "tools/ingest.ts");
  const run = (args: string[], cwd = PROJECT) => {
    const env = {...process.env};
    delete env.FER2013_PATH;
    return spawnSync(tsx, [ingest, ...args], {cwd, encoding: "utf8", env});
  };

  it("ingest --data /nonexistent prints one error line and exits 1", () => {
    const result = run(["--data", "/nonexistent"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: fer2013 not found at \/nonexistent/);
  });

  it("ingest --bogus rejects the unknown flag", () => {
    const result = run(["--bogus"]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: unknown flag --bogus, expected one of --data$/);
  });

  it("ingest --data PATH prints one JSON summary and fills the cache under the project", () => {
    const cwd = freshDir("cli-project");
    const result = run(["--data", kaggleFolders()], cwd);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.images).toBe(5);
    expect(summary.splits.Training).toMatchObject({angry: 1, sad: 1, neutral: 1, happy: 0});
    expect(summary.splits.PrivateTest.surprise).toBe(1);
    expect(summary.duplicates.groups).toBe(0);
    expect(summary.cached).toBe(false);
    expect(typeof summary.seconds).toBe("number");
    expect(fs.readdirSync(path.join(cwd, ".cache/fer2013"))).toHaveLength(1);
  });
});
