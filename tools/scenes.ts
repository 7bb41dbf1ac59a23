// Seeded test scenes for the face finder and the whole classifier pipeline: grey faces (FER2013's 48x48, or
// any square grey face) enlarged bilinearly, tilted and pasted on a procedural colour background (gradient,
// shapes, noise) of a 640x480 RGBA frame; and the rule that says whether a detection found a pasted face.
// Pure TypeScript (no node:*): the same seed gives the same bytes anywhere. Scenes are built at run time
// and never written into the repository (they hold FER2013 faces); only aggregates of them are.

import {iou, type Box, type RgbaImage} from "../src/lib/image.js";
import type {FaceSquare} from "../src/lib/face-align.js";
import {Random} from "../src/lib/random.js";

export const FACE_SIZE = 48;
export type Bucket = readonly [number, number];
/** Face-height buckets in pixels, [lo, hi): 40 px up to 95% of a 480-pixel frame. */
export const SIZE_BUCKETS: readonly Bucket[] = [[40, 60], [60, 100], [100, 160], [160, 250], [250, 340], [340, 456]];
/** Absolute tilt buckets in degrees, [lo, hi) (the last one includes 30). */
export const TILT_BUCKETS: readonly Bucket[] = [[0, 10], [10, 20], [20, 30.0001]];

export const bucketName = ([lo, hi]: Bucket): string => `${lo}-${Math.round(hi)}`;

/** The index of the bucket holding `value`, or -1. */
export function bucketOf(value: number, buckets: readonly Bucket[]): number {
  return buckets.findIndex(([lo, hi]) => value >= lo && value < hi);
}

/** A seed for item `i` of a set seeded with `seed` (so that any scene can be rebuilt on its own). */
export function subSeed(seed: number, i: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, seed: number): Int32Array {
  const random = new Random(seed);
  const p = Int32Array.from({length: n}, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = random.int(k + 1);
    [p[k], p[j]] = [p[j], p[k]];
  }
  return p;
}

/** A pasted face: its square (the whole 48x48 crop) centred at (cx, cy), `size` pixels on a side, turned by `angle`. */
export interface SceneFace {
  /** Index into the pool (for the label and the original pixels). */
  index: number;
  label: number;
  cx: number;
  cy: number;
  size: number;
  /** Degrees, clockwise on screen (image y points down): the face's eye line makes this angle with the x axis. */
  angle: number;
}

export interface Scene {
  image: RgbaImage;
  faces: SceneFace[];
  seed: number;
}

/** Faces a scene may use: N x 2304 grey levels and N labels (a Fer2013Dataset fits), and which of them. */
export interface FacePool {
  pixels: Uint8Array;
  labels: Uint8Array;
  /** Indices into pixels/labels that scenes may use, e.g. one split. */
  indices: Int32Array;
}

export interface SceneOptions {
  width?: number;
  height?: number;
  /** Faces per frame, inclusive range; [0, 0] for face-free frames. */
  faces?: [number, number];
  /** Largest tilt in degrees, either way. */
  maxTilt?: number;
  sizeBuckets?: readonly Bucket[];
}

/** The pasted face's upright square (not the bounds of the tilted one): the ground-truth box. */
export function faceBox(face: SceneFace): Box {
  return {x: face.cx - face.size / 2, y: face.cy - face.size / 2, width: face.size, height: face.size};
}

/** The pasted face's square with its rotation (radians), as face-align.ts's crops describe theirs. */
export function faceSquareOf(face: SceneFace): FaceSquare {
  return {cx: face.cx, cy: face.cy, side: face.size, angle: (face.angle * Math.PI) / 180};
}

/** The pixels of face `index` of a pool (a view). */
export function poolFace(pool: FacePool, index: number): Uint8Array {
  return pool.pixels.subarray(index * FACE_SIZE * FACE_SIZE, (index + 1) * FACE_SIZE * FACE_SIZE);
}

const clamp255 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** A procedural RGBA background: a linear gradient, random shapes, blurred value noise and pixel noise. */
export function background(rng: () => number, width: number, height: number): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4);
  const colour = () => [rng() * 255, rng() * 255, rng() * 255];
  const c0 = colour(), c1 = colour();
  const theta = rng() * Math.PI * 2, dx = Math.cos(theta), dy = Math.sin(theta);
  const span = Math.abs(dx) * width + Math.abs(dy) * height;
  const off = Math.min(0, dx * width) + Math.min(0, dy * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (dx * x + dy * y - off) / span;
      const j = (y * width + x) * 4;
      data[j] = c0[0] + (c1[0] - c0[0]) * t;
      data[j + 1] = c0[1] + (c1[1] - c0[1]) * t;
      data[j + 2] = c0[2] + (c1[2] - c0[2]) * t;
      data[j + 3] = 255;
    }
  }
  // Shapes: rectangles, ellipses and thick lines, in random colours and opacities.
  const shapes = 3 + Math.floor(rng() * 18);
  for (let s = 0; s < shapes; s++) {
    const [r, g, b] = colour();
    const alpha = 0.4 + 0.6 * rng();
    const kind = Math.floor(rng() * 3);
    const cx = rng() * width, cy = rng() * height;
    const rx = 5 + rng() * width * 0.3, ry = 5 + rng() * height * 0.3;
    const rot = rng() * Math.PI, cr = Math.cos(rot), sr = Math.sin(rot);
    const thick = 2 + rng() * 12;
    const reach = Math.max(rx, ry) + thick;
    const x0 = Math.max(0, Math.floor(cx - reach)), x1 = Math.min(width, Math.ceil(cx + reach));
    const y0 = Math.max(0, Math.floor(cy - reach)), y1 = Math.min(height, Math.ceil(cy + reach));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const u = (x - cx) * cr + (y - cy) * sr, v = -(x - cx) * sr + (y - cy) * cr;
        const inside =
          kind === 0 ? Math.abs(u) <= rx && Math.abs(v) <= ry
          : kind === 1 ? (u * u) / (rx * rx) + (v * v) / (ry * ry) <= 1
          : Math.abs(v) <= thick / 2 && Math.abs(u) <= rx;
        if (!inside) continue;
        const j = (y * width + x) * 4;
        data[j] = data[j] * (1 - alpha) + r * alpha;
        data[j + 1] = data[j + 1] * (1 - alpha) + g * alpha;
        data[j + 2] = data[j + 2] * (1 - alpha) + b * alpha;
      }
    }
  }
  // Low-frequency value noise (a coarse random grid, interpolated) and per-pixel noise.
  const cell = 16 + Math.floor(rng() * 64);
  const gw = Math.ceil(width / cell) + 2;
  const grid = new Float32Array(gw * (Math.ceil(height / cell) + 2)).map(() => rng() * 2 - 1);
  const lowAmp = rng() * 40, pixAmp = rng() * 30;
  for (let y = 0; y < height; y++) {
    const gy = y / cell, iy = Math.floor(gy), fy = gy - iy;
    for (let x = 0; x < width; x++) {
      const gx = x / cell, ix = Math.floor(gx), fx = gx - ix;
      const a = grid[iy * gw + ix] * (1 - fx) + grid[iy * gw + ix + 1] * fx;
      const b = grid[(iy + 1) * gw + ix] * (1 - fx) + grid[(iy + 1) * gw + ix + 1] * fx;
      const low = (a * (1 - fy) + b * fy) * lowAmp;
      const j = (y * width + x) * 4;
      const n = (rng() + rng() + rng() - 1.5) * pixAmp;
      data[j] = clamp255(data[j] + low + n);
      data[j + 1] = clamp255(data[j + 1] + low + n);
      data[j + 2] = clamp255(data[j + 2] + low + n);
    }
  }
  return data;
}

/**
 * Pastes a square grey face (n x n levels, 48 x 48 for FER2013's) as grey RGB, bilinearly, pixel centres
 * aligned: its square centred at (cx, cy), `size` pixels on a side, turned by `angle` degrees clockwise.
 */
export function pasteFace(image: RgbaImage, face: Uint8Array, {cx, cy, size, angle}: {cx: number; cy: number; size: number; angle: number}): void {
  const n = Math.round(Math.sqrt(face.length));
  if (n * n !== face.length) throw new Error(`invalid face: ${face.length} grey levels, expected a square number (2304 for 48x48)`);
  const {data, width, height} = image;
  const a = (angle * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  const half = (size / 2) * (Math.abs(c) + Math.abs(s));
  const scale = n / size;
  const x0 = Math.max(0, Math.floor(cx - half)), x1 = Math.min(width, Math.ceil(cx + half));
  const y0 = Math.max(0, Math.floor(cy - half)), y1 = Math.min(height, Math.ceil(cy + half));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const px = x + 0.5 - cx, py = y + 0.5 - cy;
      // Picture -> face: turn back by the angle, scale to the face's pixels.
      const u = (c * px + s * py) * scale + n / 2;
      const v = (-s * px + c * py) * scale + n / 2;
      if (u < 0 || v < 0 || u >= n || v >= n) continue;
      const fu = Math.min(Math.max(u - 0.5, 0), n - 1), fv = Math.min(Math.max(v - 0.5, 0), n - 1);
      const iu = Math.floor(fu), iv = Math.floor(fv), du = fu - iu, dv = fv - iv;
      const iu1 = Math.min(iu + 1, n - 1), iv1 = Math.min(iv + 1, n - 1);
      const top = face[iv * n + iu] * (1 - du) + face[iv * n + iu1] * du;
      const bottom = face[iv1 * n + iu] * (1 - du) + face[iv1 * n + iu1] * du;
      const j = (y * width + x) * 4;
      data[j] = data[j + 1] = data[j + 2] = top * (1 - dv) + bottom * dv;
    }
  }
}

/**
 * Scene `i` of a set: faces perm[4i .. 4i + k - 1] of the pool's seeded permutation, so that each scene can
 * be rebuilt alone and no face repeats while the pool lasts. Face height: a bucket drawn uniformly, then a
 * size uniform in it; tilt uniform in ±maxTilt; faces placed largest first at random positions, the whole
 * tilted square inside the frame (when a tilted square cannot fit, as a 456-pixel face turned by 30 degrees,
 * its inscribed circle must: only corners of the crop's background are cut off), and no two faces'
 * circumscribed circles overlap; a face that finds no place in 200 tries is left out.
 */
export function makeScene(seed: number, i: number, pool: FacePool, perm: Int32Array, options: SceneOptions = {}): Scene {
  const {width = 640, height = 480, faces: [minFaces, maxFaces] = [1, 4], maxTilt = 30, sizeBuckets = SIZE_BUCKETS} = options;
  if (!pool.indices.length && maxFaces > 0) throw new Error("empty face pool: expected at least one face index");
  const sceneSeed = subSeed(seed, i);
  const random = new Random(sceneSeed);
  const rng = () => random.next();
  const image: RgbaImage = {data: background(rng, width, height), width, height};
  const count = minFaces + Math.floor(rng() * (maxFaces - minFaces + 1));
  const wanted = Array.from({length: count}, (_, k) => {
    const [lo, hi] = sizeBuckets[Math.floor(rng() * sizeBuckets.length)];
    return {size: lo + rng() * (hi - lo), angle: (rng() * 2 - 1) * maxTilt, index: pool.indices[perm[(4 * i + k) % perm.length]]};
  }).sort((a, b) => b.size - a.size);
  const placed: SceneFace[] = [];
  for (const face of wanted) {
    const a = (face.angle * Math.PI) / 180;
    let half = (face.size / 2) * (Math.abs(Math.cos(a)) + Math.abs(Math.sin(a)));
    if (2 * half > Math.min(width, height)) half = face.size / 2;
    for (let attempt = 0; attempt < 200; attempt++) {
      const cx = half + rng() * (width - 2 * half), cy = half + rng() * (height - 2 * half);
      const r = face.size / Math.SQRT2;
      if (placed.every((p) => Math.hypot(p.cx - cx, p.cy - cy) >= r + p.size / Math.SQRT2)) {
        placed.push({index: face.index, label: pool.labels[face.index], cx, cy, size: face.size, angle: face.angle});
        break;
      }
    }
  }
  for (const face of placed) pasteFace(image, poolFace(pool, face.index), face);
  return {image, faces: placed, seed: sceneSeed};
}

/** A benchmark set, built lazily (a scene is 1.2 MB): `faceScenes` scenes with faces, then `emptyScenes` face-free ones, all from one seed. */
export function* sceneSet({seed, faceScenes, emptyScenes, pool, options = {}}: {seed: number; faceScenes: number; emptyScenes: number; pool: FacePool; options?: SceneOptions}): Generator<Scene> {
  const perm = permutation(pool.indices.length, seed);
  for (let i = 0; i < faceScenes; i++) yield makeScene(seed, i, pool, perm, options);
  for (let i = 0; i < emptyScenes; i++) yield makeScene(seed, 1_000_000 + i, pool, perm, {...options, faces: [0, 0]});
}

/**
 * Whether a detection found a face: its box's centre lies inside the face's upright square and its size
 * (square root of its area) is 0.5x to 2x the square's side. Detectors box faces differently (BlazeFace
 * brows to chin, others the head with hair), so the rule asks "this face, at about this scale", not an IoU
 * that depends on the convention.
 */
export function matches(detection: Box, face: SceneFace): boolean {
  const g = faceBox(face);
  const cx = detection.x + detection.width / 2, cy = detection.y + detection.height / 2;
  if (cx < g.x || cx > g.x + g.width || cy < g.y || cy > g.y + g.height) return false;
  const ratio = Math.sqrt(detection.width * detection.height) / face.size;
  return ratio >= 0.5 && ratio <= 2;
}

/**
 * One-to-one matching, best score first: each detection takes the matching free face it overlaps most;
 * a detection that finds no free face (a second box on a matched face, or a box on the background) is false.
 * Returns, per face, the index of its detection or -1, and the count of false detections.
 */
export function assign(detections: {box: Box; score: number}[], faces: SceneFace[]): {faceToDetection: number[]; falses: number} {
  const order = detections.map((_, i) => i).sort((a, b) => detections[b].score - detections[a].score);
  const faceToDetection = faces.map(() => -1);
  let falses = 0;
  for (const d of order) {
    let best = -1, bestIou = -1;
    faces.forEach((face, k) => {
      if (faceToDetection[k] >= 0 || !matches(detections[d].box, face)) return;
      const overlap = iou(detections[d].box, faceBox(face));
      if (overlap > bestIou) (best = k), (bestIou = overlap);
    });
    if (best >= 0) faceToDetection[best] = d;
    else falses++;
  }
  return {faceToDetection, falses};
}

