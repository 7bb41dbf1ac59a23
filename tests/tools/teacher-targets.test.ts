import {afterAll, beforeAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {teacherCacheKey, teacherTargets} from "../../tools/teacher-targets.js";
import {IMAGE_PIXELS} from "../../src/lib/dataset.js";
import {NUM_CLASSES} from "../../src/lib/labels.js";
import {Random} from "../../src/lib/random.js";
import {writeToyModelFolder} from "./helpers.js";

let temp: string;
let teacherA: string;
let teacherB: string;
const FACES = 12;
const input = new Float32Array(FACES * IMAGE_PIXELS);

beforeAll(async () => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), "teacher-targets-"));
  teacherA = path.join(temp, "a");
  teacherB = path.join(temp, "b");
  await writeToyModelFolder(teacherA, {seed: 1});
  await writeToyModelFolder(teacherB, {seed: 2});
  const random = new Random(5);
  for (let i = 0; i < input.length; i++) input[i] = random.next();
});

afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

describe("teacherTargets", () => {
  it("predicts once, keeps the teachers' mean in the cache, and gives the same targets from it on the next call", async () => {
    const distill = {teachers: [teacherA, teacherB], weight: 0.5, temperature: 2, tta: "flip" as const};
    const cacheDir = path.join(temp, "cache");
    const lines: string[] = [];
    const first = await teacherTargets(distill, input, {cacheDir, onStatus: (line) => lines.push(line)});
    expect(first.length).toBe(FACES * NUM_CLASSES);
    expect(lines.at(-1)).toMatch(/^teachers' soft targets: 2 teachers, face \+ mirror, 12 faces in \d+ s$/);
    expect(fs.readdirSync(cacheDir)).toEqual([`${teacherCacheKey(distill, input)}.f32`]);

    lines.length = 0;
    const second = await teacherTargets(distill, input, {cacheDir, onStatus: (line) => lines.push(line)});
    expect(lines).toEqual([`teachers' soft targets: 2 teachers, face + mirror, 12 faces from the cache (${path.join(cacheDir, `${teacherCacheKey(distill, input)}.f32`)})`]);
    expect(Array.from(second)).toEqual(Array.from(first));
    // Without the cache the pass gives the same numbers: the cache changes only where they come from.
    expect(Array.from(await teacherTargets(distill, input, {cacheDir: null}))).toEqual(Array.from(first));
    // The temperature is applied after the cache: another temperature reads the same entry, softened anew.
    const sharper = await teacherTargets({...distill, temperature: 1}, input, {cacheDir});
    expect(fs.readdirSync(cacheDir)).toHaveLength(1);
    const entropy = (p: Float32Array) => -Array.from(p).reduce((sum, q) => sum + q * Math.log(q), 0);
    expect(entropy(sharper)).toBeLessThan(entropy(first));
  }, 60_000);

  it("keys the cache by the teachers' files, their order's views and the faces, so a change predicts again", async () => {
    const distill = {teachers: [teacherA], weight: 0.5, temperature: 2};
    const key = teacherCacheKey(distill, input);
    expect(teacherCacheKey({...distill, weight: 0.9, temperature: 4}, input)).toBe(key);
    expect(teacherCacheKey({...distill, tta: "crops"}, input)).not.toBe(key);
    expect(teacherCacheKey({...distill, teachers: [teacherB]}, input)).not.toBe(key);
    expect(teacherCacheKey({...distill, teachers: [teacherA, teacherB]}, input)).not.toBe(teacherCacheKey({...distill, teachers: [teacherB, teacherA]}, input));
    const other = input.slice();
    other[7] += 0.5;
    expect(teacherCacheKey(distill, other)).not.toBe(key);
    fs.writeFileSync(path.join(teacherA, "NOTE.md"), "any file of the folder counts\n");
    try {
      expect(teacherCacheKey(distill, input)).not.toBe(key);
    } finally {
      fs.rmSync(path.join(teacherA, "NOTE.md"));
    }
    expect(teacherCacheKey(distill, input)).toBe(key);
  });

  it("predicts again over a cache entry of the wrong size (a cut-off write) and replaces it", async () => {
    const distill = {teachers: [teacherA], weight: 0.5, temperature: 2};
    const cacheDir = path.join(temp, "broken");
    fs.mkdirSync(cacheDir);
    const file = path.join(cacheDir, `${teacherCacheKey(distill, input)}.f32`);
    fs.writeFileSync(file, new Uint8Array(12));
    const lines: string[] = [];
    const targets = await teacherTargets(distill, input, {cacheDir, onStatus: (line) => lines.push(line)});
    expect(lines.at(-1)).toMatch(/ in \d+ s$/);
    expect(fs.statSync(file).size).toBe(FACES * NUM_CLASSES * 4);
    expect(Array.from(targets)).toEqual(Array.from(await teacherTargets(distill, input, {cacheDir})));
  }, 60_000);

  it("refuses an empty teacher list", async () => {
    await expect(teacherTargets({teachers: [], weight: 0.5, temperature: 2}, input, {cacheDir: null})).rejects.toThrow("--teachers names no model folder");
  });
});
