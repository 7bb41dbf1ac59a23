// Seeded data augmentation for 48x48 grey faces in model-input scale ([0, 1], see preprocess.ts):
// one affine warp per face (horizontal flip, shift, small rotation and scale, reflect padding),
// random erasing, and mixup. Pure functions on Float32Array batches; randomness only from `Random`.

import {IMAGE_PIXELS, IMAGE_SIZE} from "./dataset.js";
import type {Random} from "./random.js";

export interface AugmentOptions {
  /** Probability of a horizontal flip. */
  flip?: number;
  /** Largest shift in pixels, each axis, uniform in [-shift, shift]. */
  shift?: number;
  /** Largest rotation in degrees, uniform in [-rotation, rotation]. */
  rotation?: number;
  /** Largest relative zoom, uniform in [1 - scale, 1 + scale]. */
  scale?: number;
  /** Probability of erasing one random rectangle (random erasing, Zhong et al. 2017). */
  erasing?: number;
}

export const DEFAULT_AUGMENT: Required<AugmentOptions> = {flip: 0.5, shift: 4, rotation: 10, scale: 0.1, erasing: 0};

/** Reflects an index into [0, n) like numpy's "reflect" padding (edge pixel not repeated). */
function reflect(i: number, n: number): number {
  const period = 2 * (n - 1);
  i = Math.abs(i) % period;
  return i >= n ? period - i : i;
}

/** The parameters of one face's warp, drawn from `random`. */
export interface Warp {
  flip: boolean;
  dx: number;
  dy: number;
  /** Radians. */
  angle: number;
  zoom: number;
}

export function drawWarp(random: Random, options: AugmentOptions = {}): Warp {
  const {flip = 0.5, shift = 4, rotation = 10, scale = 0.1} = options;
  return {
    flip: random.next() < flip,
    dx: shift ? Math.round(random.uniform(-shift, shift)) : 0,
    dy: shift ? Math.round(random.uniform(-shift, shift)) : 0,
    angle: rotation ? (random.uniform(-rotation, rotation) * Math.PI) / 180 : 0,
    zoom: scale ? random.uniform(1 - scale, 1 + scale) : 1
  };
}

/**
 * Writes the warped face `src` (2304 floats) into `dst`, by inverse mapping about the image centre with
 * bilinear interpolation and reflect padding. Integer shifts with no rotation or zoom copy pixels exactly.
 */
export function warpFace(src: Float32Array, dst: Float32Array, warp: Warp): void {
  const n = IMAGE_SIZE;
  const c = (n - 1) / 2;
  const cos = Math.cos(warp.angle) / warp.zoom;
  const sin = Math.sin(warp.angle) / warp.zoom;
  const exact = warp.angle === 0 && warp.zoom === 1;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      // Output pixel (x, y) samples the source at the inverse transform of its position.
      const ox = x - c - warp.dx;
      const oy = y - c - warp.dy;
      let sx = cos * ox + sin * oy + c;
      const sy = -sin * ox + cos * oy + c;
      if (warp.flip) sx = n - 1 - sx;
      let value: number;
      if (exact) {
        value = src[reflect(Math.round(sy), n) * n + reflect(Math.round(sx), n)];
      } else {
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const xa = reflect(x0, n);
        const xb = reflect(x0 + 1, n);
        const ya = reflect(y0, n) * n;
        const yb = reflect(y0 + 1, n) * n;
        value =
          (1 - fy) * ((1 - fx) * src[ya + xa] + fx * src[ya + xb]) + fy * ((1 - fx) * src[yb + xa] + fx * src[yb + xb]);
      }
      dst[y * n + x] = value;
    }
  }
}

/** Fills one random rectangle (2% to 25% of the face, aspect 0.3 to 3.3) of `face` with uniform noise. */
export function eraseRandomRectangle(face: Float32Array, random: Random): void {
  const n = IMAGE_SIZE;
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = random.uniform(0.02, 0.25) * n * n;
    const aspect = Math.exp(random.uniform(Math.log(0.3), Math.log(1 / 0.3)));
    const h = Math.round(Math.sqrt(area * aspect));
    const w = Math.round(Math.sqrt(area / aspect));
    if (h < 1 || w < 1 || h >= n || w >= n) continue;
    const top = random.int(n - h + 1);
    const left = random.int(n - w + 1);
    for (let y = top; y < top + h; y++) for (let x = left; x < left + w; x++) face[y * n + x] = random.next();
    return;
  }
}

/** Augments a batch of `count` faces (count x 2304 floats in [0, 1]) into a new array. */
export function augmentBatch(
  input: Float32Array,
  random: Random,
  options: AugmentOptions = DEFAULT_AUGMENT
): Float32Array {
  const count = input.length / IMAGE_PIXELS;
  const out = new Float32Array(input.length);
  for (let i = 0; i < count; i++) {
    const src = input.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    const dst = out.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    warpFace(src, dst, drawWarp(random, options));
    if (options.erasing && random.next() < options.erasing) eraseRandomRectangle(dst, random);
  }
  return out;
}

/** Horizontally mirrors every face of a batch (for flip test-time augmentation). */
export function flipBatch(input: Float32Array): Float32Array {
  const n = IMAGE_SIZE;
  const out = new Float32Array(input.length);
  for (let row = 0; row < input.length; row += n) {
    for (let x = 0; x < n; x++) out[row + x] = input[row + n - 1 - x];
  }
  return out;
}

/**
 * Mixup (Zhang et al. 2018): mixes each face and its soft target with a partner from a shuffled copy of
 * the batch, with one weight lambda ~ Beta(alpha, alpha) for the batch. Modifies `input` and `targets`
 * (count x classes) in place and returns lambda.
 */
export function mixupBatch(
  input: Float32Array,
  targets: Float32Array,
  random: Random,
  {alpha, classes}: {alpha: number; classes: number}
): number {
  const count = targets.length / classes;
  const lambda = random.beta(alpha, alpha);
  const partner = random.shuffle(Int32Array.from({length: count}, (_, i) => i));
  const images = input.slice();
  const labels = targets.slice();
  for (let i = 0; i < count; i++) {
    const j = partner[i];
    for (let p = 0; p < IMAGE_PIXELS; p++) {
      input[i * IMAGE_PIXELS + p] = lambda * images[i * IMAGE_PIXELS + p] + (1 - lambda) * images[j * IMAGE_PIXELS + p];
    }
    for (let k = 0; k < classes; k++) {
      targets[i * classes + k] = lambda * labels[i * classes + k] + (1 - lambda) * labels[j * classes + k];
    }
  }
  return lambda;
}

/**
 * CutMix (Yun et al. 2019): pastes a random rectangle of a partner face (from a shuffled copy of the batch)
 * into each face, with lambda ~ Beta(alpha, alpha) setting the rectangle's area (1 - lambda of the face), and
 * mixes the soft targets by the pasted area actually used. Modifies `input` and `targets` in place.
 */
export function cutmixBatch(
  input: Float32Array,
  targets: Float32Array,
  random: Random,
  {alpha, classes}: {alpha: number; classes: number}
): number {
  const n = IMAGE_SIZE;
  const count = targets.length / classes;
  const lambda = random.beta(alpha, alpha);
  const partner = random.shuffle(Int32Array.from({length: count}, (_, i) => i));
  const h = Math.round(n * Math.sqrt(1 - lambda));
  const w = Math.round(n * Math.sqrt(1 - lambda));
  const cy = random.int(n), cx = random.int(n);
  const top = Math.max(0, cy - Math.floor(h / 2)), bottom = Math.min(n, cy + Math.ceil(h / 2));
  const left = Math.max(0, cx - Math.floor(w / 2)), right = Math.min(n, cx + Math.ceil(w / 2));
  const pasted = ((bottom - top) * (right - left)) / (n * n);
  const images = input.slice();
  const labels = targets.slice();
  for (let i = 0; i < count; i++) {
    const j = partner[i];
    for (let y = top; y < bottom; y++) {
      for (let x = left; x < right; x++) input[i * IMAGE_PIXELS + y * n + x] = images[j * IMAGE_PIXELS + y * n + x];
    }
    for (let k = 0; k < classes; k++) targets[i * classes + k] = (1 - pasted) * labels[i * classes + k] + pasted * labels[j * classes + k];
  }
  return 1 - pasted;
}

/** Test-time averaging: none, each face with its mirror image, or five 44-pixel crops of it and their mirrors. */
export const TTA_MODES = ["none", "flip", "crops"] as const;
export type TtaMode = (typeof TTA_MODES)[number];

/** Forward passes per face of each mode, for the cost the report shows beside each accuracy. */
export const TTA_PASSES: Record<TtaMode, number> = {none: 1, flip: 2, crops: 10};

/** The crop side of the "crops" mode, in pixels of the 48-pixel face, and the shift of its corner crops. */
const CROP_SIDE = 44;

/**
 * The views of a batch that a test-time mode averages: the batch itself; with "flip" its mirror; with
 * "crops" the centre and four corner crops of CROP_SIDE pixels, each enlarged back to 48 (the zoom and
 * shifts training's augmentation covers), and the mirror of each.
 */
export function ttaViews(input: Float32Array, mode: TtaMode): Float32Array[] {
  if (mode === "none") return [input];
  if (mode === "flip") return [input, flipBatch(input)];
  const zoom = IMAGE_SIZE / CROP_SIDE;
  const offset = ((IMAGE_SIZE - CROP_SIDE) / 2) * zoom;
  const count = input.length / IMAGE_PIXELS;
  const crops = [[0, 0], [-offset, -offset], [offset, -offset], [-offset, offset], [offset, offset]].map(([dx, dy]) => {
    const out = new Float32Array(input.length);
    for (let i = 0; i < count; i++) {
      warpFace(input.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), out.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), {flip: false, dx, dy, angle: 0, zoom});
    }
    return out;
  });
  return crops.flatMap((crop) => [crop, flipBatch(crop)]);
}
