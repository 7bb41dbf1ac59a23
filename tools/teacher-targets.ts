// The teachers' soft targets for distillation (`npm run train -- --teachers DIR,DIR`): every training face
// through every teacher (over the face and its mirror, or the evaluator's ten views), averaged, then softened
// by the temperature. The pass costs minutes (six teachers over ten views: about 20 on two cores), so the
// averaged probabilities are kept in .cache/teachers/ under a hash of what they depend on: the teachers'
// files, the views and the faces themselves. A resumed run, or another run with the same teachers, reads
// them back instead of predicting again; a changed teacher file or face gives another hash.
//
// The cache holds one probability row per training face, derived from the images, so it lives under the
// git-ignored .cache/ and never in a run or checkpoint folder that might be committed.

import {createHash} from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {IMAGE_PIXELS} from "../src/lib/dataset.js";
import {NUM_CLASSES} from "../src/lib/labels.js";
import {softenedByTemperature} from "../src/lib/targets.js";
import {meanProbabilities} from "../src/lib/evaluation.js";
import type {TrainingConfig} from "../src/lib/model-folder.js";
import {openFolderPredictor} from "./folder-predictor.js";
import {writeFileAtomic} from "./model-io.js";

export const DEFAULT_TEACHER_CACHE_DIR = ".cache/teachers";
const CACHE_FORMAT = "teacher-targets/1";

type Distill = NonNullable<TrainingConfig["distill"]>;

/**
 * The cache key: a hash of the format, the views, each teacher's files in order (names and bytes) and the
 * faces. The temperature is applied after the cache, so runs that differ only in it share one entry.
 */
export function teacherCacheKey(distill: Distill, input: Float32Array): string {
  const hash = createHash("sha256").update(CACHE_FORMAT).update(`\0${distill.tta ?? "flip"}`);
  for (const dir of distill.teachers) {
    const files = fs.readdirSync(dir, {withFileTypes: true}).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
    hash.update(`\0teacher:${files.length}`);
    for (const name of files) hash.update(`\0${name}\0`).update(fs.readFileSync(path.join(dir, name)));
  }
  hash.update(`\0faces:${input.length / IMAGE_PIXELS}\0`).update(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  return hash.digest("hex").slice(0, 32);
}

/** The teachers' mean probabilities (N x 7, before the temperature), from the cache when it holds them. */
async function meanTeacherProbabilities(
  distill: Distill,
  input: Float32Array,
  {cacheDir, onStatus}: {cacheDir: string | null; onStatus?: (line: string, done: boolean) => void}
): Promise<Float32Array> {
  const count = input.length / IMAGE_PIXELS;
  const views = distill.tta === "crops" ? "ten views" : "face + mirror";
  const teachers = `${distill.teachers.length} ${distill.teachers.length === 1 ? "teacher" : "teachers"}`;
  const file = cacheDir === null ? null : path.join(cacheDir, `${teacherCacheKey(distill, input)}.f32`);
  const cached = file !== null && fs.existsSync(file) ? fs.readFileSync(file) : null;
  if (cached && cached.byteLength === count * NUM_CLASSES * 4) {
    onStatus?.(`teachers' soft targets: ${teachers}, ${views}, ${count} faces from the cache (${file})`, true);
    return new Float32Array(cached.buffer.slice(cached.byteOffset, cached.byteOffset + cached.byteLength));
  }
  const mean = new Float32Array(count * NUM_CLASSES);
  const started = performance.now();
  for (const [k, dir] of distill.teachers.entries()) {
    onStatus?.(`teachers' soft targets: ${path.basename(dir)} (${k + 1} of ${distill.teachers.length}) over ${count} faces, ${views}`, false);
    const predictor = await openFolderPredictor(path.resolve(dir));
    try {
      const p = await predictor.predict(input, {tta: distill.tta ?? "flip"});
      // Accumulated teacher by teacher (one N x 7 array at a time, not all of them); the cached runs' arithmetic.
      for (let i = 0; i < mean.length; i++) mean[i] += p[i] / distill.teachers.length;
    } finally {
      await predictor.dispose();
    }
  }
  onStatus?.(`teachers' soft targets: ${teachers}, ${views}, ${count} faces in ${Math.round((performance.now() - started) / 1000)} s`, true);
  if (file !== null) {
    fs.mkdirSync(path.dirname(file), {recursive: true});
    writeFileAtomic(file, new Uint8Array(mean.buffer, mean.byteOffset, mean.byteLength));
  }
  return mean;
}

/**
 * The distillation targets for every training face: each teacher's probabilities averaged over its views,
 * the teachers averaged, then softened by the temperature. `cacheDir: null` predicts without the cache.
 */
export async function teacherTargets(
  distill: Distill,
  input: Float32Array,
  {cacheDir = DEFAULT_TEACHER_CACHE_DIR, onStatus}: {cacheDir?: string | null; onStatus?: (line: string, done: boolean) => void} = {}
): Promise<Float32Array> {
  if (distill.teachers.length === 0) throw new Error("--teachers names no model folder");
  const mean = await meanTeacherProbabilities(distill, input, {cacheDir, onStatus});
  return softenedByTemperature(mean, {classes: NUM_CLASSES, temperature: distill.temperature});
}

/** Teachers that label each batch as the student sees it (`--teaching consistent`). */
export interface BatchTeachers {
  /** The teachers' mean probabilities on these faces (N x 7), softened by the temperature. */
  label(faces: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * Opens every teacher once for consistent teaching: each batch, augmented and mixed as the student will see
 * it, goes through each teacher (one view: the face as it is), and their mean is softened by the temperature.
 * The teachers are deterministic, so a resumed run gets the same targets as an uninterrupted one.
 */
export async function openBatchTeachers(distill: Distill, {onStatus}: {onStatus?: (line: string, done: boolean) => void} = {}): Promise<BatchTeachers> {
  if (distill.teachers.length === 0) throw new Error("--teachers names no model folder");
  const predictors: Awaited<ReturnType<typeof openFolderPredictor>>[] = [];
  try {
    for (const dir of distill.teachers) predictors.push(await openFolderPredictor(path.resolve(dir)));
  } catch (error) {
    await Promise.all(predictors.map((p) => p.dispose()));
    throw error;
  }
  onStatus?.(`teachers: ${distill.teachers.length} ${distill.teachers.length === 1 ? "teacher labels" : "teachers label"} every augmented batch (consistent teaching)`, true);
  return {
    async label(faces) {
      const each: Float32Array[] = [];
      for (const predictor of predictors) each.push(await predictor.predict(faces));
      return softenedByTemperature(meanProbabilities(each), {classes: NUM_CLASSES, temperature: distill.temperature});
    },
    async dispose() {
      await Promise.all(predictors.map((p) => p.dispose()));
    }
  };
}
