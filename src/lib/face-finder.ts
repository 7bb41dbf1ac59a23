// The classifier page's face finder, chosen by measurement (npm run bench -- pipeline; the classifier page
// shows the tables). Two stages:
// 1. Candidates from BlazeFace at low score thresholds. Camera: the short-range model on the whole frame (a few
//    ms a 640x480 frame on WebAssembly; faces from ~160 px up), and the "back" model on the whole frame too
//    (faces from ~60 px up, about 3.5 times the short-range pass's time) where the frame may hold a face the
//    short-range pass misses: a single picture, a frame where it finds nothing, a frame where a face of the
//    previous one is missing from its boxes, and every twentieth frame of a loop (a face that steps back is
//    picked up again within a few frames). Photo: the "back" model and the short-range model on the whole
//    picture, plus the short-range model on 15 zoomed tiles (5 x 3 of 0.375 of the longer side) and 35 finer
//    ones (7 x 5 of 0.25) (faces from ~40 px up).
// 2. A second look (face-check.ts): MediaPipe's FaceMesh on each candidate, turned upright, keeps those whose
//    face-presence probability is at least 0.5; the survivors are merged by non-maximum suppression. Without
//    the check, BlazeFace at these thresholds boxed a face-like shape in 2-6 of every 100 face-free frames;
//    with it, none in 500 (tuned on the bench's scenes of seed 21, measured on seed 9). The camera's merge also
//    drops a box whose centre lies within 0.75 of a better box's side of that box's centre (the back-camera
//    network sometimes boxes part of a 60-110 px face beside the whole of it; no face of seed 21's was lost).
// The camera can pass `track`: a candidate overlapping a face checked in the previous frame keeps that verdict,
// so a steady face costs one check when it appears, not one a frame.
// face-api's tiny face detector, the page's earlier choice, found under 80% of faces at any size even with six
// input sizes merged. Pure: tfjs is passed in.

import type * as TF from "@tensorflow/tfjs";
import {detectFaces, letterbox, loadBlazeFace, partOfBetter, suppress, tiles, type BlazeFace, type FaceDetection, type ModelFiles} from "./blazeface.js";
import {faceScores, loadFaceCheck, type FaceCheck} from "./face-check.js";
import {iou, type Box, type RgbaImage} from "./image.js";

export type {FaceDetection, ModelFiles};

export type DetectMode = "camera" | "photo";

/** Score thresholds tuned on the benchmark's scenes of seed 21 (npm run bench -- pipeline --seed 21); the bench reports seed 9. */
export const FINDER_PRESETS = {
  /**
   * `discoverEvery`: in a tracked loop, the back-camera pass runs at least every this many frames (see
   * cameraNeedsBack).
   */
  camera: {shortThreshold: 0.4, backThreshold: 0.3, discoverEvery: 20, checkThreshold: 0.5, sameCentre: 0.75},
  /** Tiles as fractions of the picture's longer side: 240 and 160 px in a 640x480 frame (5 x 3 and 7 x 5). */
  photo: {
    backThreshold: 0.3,
    shortThreshold: 0.4,
    tiles: [{side: 0.375, overlap: 0.1875, threshold: 0.4}, {side: 0.25, overlap: 0.125, threshold: 0.4}],
    checkThreshold: 0.5
  },
  /** A candidate is the face checked in the previous frame when their boxes overlap this much (IoU). */
  trackIou: 0.5
} as const;

export interface DetectOptions {
  /** Camera loops: reuse the previous frame's check for a face that is still there (see the top of this file). */
  track?: boolean;
}

export interface FaceFinder {
  /** Faces in a picture, best first; "photo" also looks for small faces in tiles, "camera" only on the whole frame. */
  detect(image: RgbaImage, mode?: DetectMode, options?: DetectOptions): FaceDetection[];
  /**
   * Runs every network once (a backend is usable only once they all have). With `shapes`, on the photo mode's
   * batches of tiles too, so that WebGL compiles their shaders before the first photo; backends without
   * shaders need only each network once (the photo mode's 76 passes on a blank 64 x 64 picture, in Node beside a
   * training run: 21.6 s on tfjs's CPU backend, 1.0 s on WebAssembly).
   */
  warmUp(options?: {shapes?: boolean}): void;
  dispose(): void;
}

/**
 * Whether a camera frame needs the back-camera pass beside the short-range one, whose boxes are `near`.
 * `tracked` holds the faces of the previous tracked frame, null for a single picture (which always gets it);
 * `frame` counts the tracked frames (0 first). Faces at a webcam are mostly large, so a loop runs the short-range
 * pass alone while it finds every face of the previous frame, with one back-camera pass every
 * FINDER_PRESETS.camera.discoverEvery frames to find a face that has come into view far from the camera.
 */
export function cameraNeedsBack(near: readonly Box[], tracked: readonly Box[] | null, frame: number): boolean {
  if (tracked === null || near.length === 0) return true;
  if (frame % FINDER_PRESETS.camera.discoverEvery === 0) return true;
  return tracked.some((box) => !near.some((d) => iou(d, box) >= FINDER_PRESETS.trackIou));
}

/** Two boxes of one face as the finder's merge sees them (suppress's defaults, nesting either way). */
function sameFace(a: Box, b: Box): boolean {
  return iou(a, b) > 0.3 || partOfBetter(b, a, {nestedBothWays: true});
}

/**
 * BlazeFace's candidates for a mode, before the check: each network pass's own, merged within the pass
 * (a pass gives its faces; the passes together may box one face several times). `loop` is the camera's
 * tracking state, null for a single picture.
 */
function candidates(short: BlazeFace, back: BlazeFace, image: RgbaImage, mode: DetectMode, loop: {tracked: Box[]; frame: number} | null = null): FaceDetection[] {
  if (mode === "camera") {
    const preset = FINDER_PRESETS.camera;
    const near = detectFaces(short, image, {passes: [letterbox(image)], scoreThreshold: preset.shortThreshold});
    if (!cameraNeedsBack(near.map((d) => d.box), loop?.tracked ?? null, loop?.frame ?? 0)) return near;
    // The back-camera pass adds only faces the short-range pass did not box, so that a face keeps the same box
    // (and crop) whether or not this frame ran it.
    const far = detectFaces(back, image, {passes: [letterbox(image)], scoreThreshold: preset.backThreshold}).filter((d) => !near.some((n) => sameFace(n.box, d.box)));
    return [...near, ...far];
  }
  const preset = FINDER_PRESETS.photo;
  const long = Math.max(image.width, image.height);
  return [
    ...detectFaces(back, image, {passes: [letterbox(image)], scoreThreshold: preset.backThreshold}),
    ...detectFaces(short, image, {passes: [letterbox(image)], scoreThreshold: preset.shortThreshold}),
    ...preset.tiles.flatMap((t) => detectFaces(short, image, {passes: tiles(image, t.side * long, t.overlap * long), scoreThreshold: t.threshold}))
  ];
}

export async function createFaceFinder(tf: typeof TF, files: {short: ModelFiles; back: ModelFiles; check: ModelFiles}): Promise<FaceFinder> {
  const short: BlazeFace = await loadBlazeFace(tf, files.short);
  const back: BlazeFace = await loadBlazeFace(tf, files.back);
  const check: FaceCheck = await loadFaceCheck(tf, files.check);
  /** Boxes of the faces that passed the check in the last tracked frame. */
  let tracked: Box[] = [];
  /** Tracked camera frames so far (cameraNeedsBack's `frame`). */
  let frame = 0;
  return {
    detect(image, mode = "camera", {track = false} = {}) {
      const found = candidates(short, back, image, mode, track && mode === "camera" ? {tracked, frame: frame++} : null);
      const known = (d: FaceDetection) => track && tracked.some((box) => iou(box, d.box) >= FINDER_PRESETS.trackIou);
      const unknown = found.filter((d) => !known(d));
      const scores = faceScores(check, image, unknown);
      const rejected = new Set(unknown.filter((_, k) => !(scores[k] >= FINDER_PRESETS[mode].checkThreshold)));
      // Checked before the passes are merged: where one pass boxes part of a face and another the whole of it,
      // the merge then picks among real faces (on the bench: recall at 100 px and up 97.3% -> 98.2%).
      // Faces do not nest: of two boxes one inside the other (a whole face and a part of it, or a face boxed with
      // its hair), the better-scored one stays.
      const faces = suppress(found.filter((d) => !rejected.has(d)), {iouThreshold: 0.3, nms: "hard", nestedBothWays: true, sameCentre: mode === "camera" ? FINDER_PRESETS.camera.sameCentre : 0});
      if (track) tracked = faces.map((d) => d.box);
      return faces;
    },
    warmUp({shapes = true} = {}) {
      const blank = {data: new Uint8ClampedArray(64 * 64 * 4), width: 64, height: 64};
      if (shapes) candidates(short, back, blank, "photo");
      else for (const detector of [short, back]) detectFaces(detector, blank, {passes: [letterbox(blank)]});
      faceScores(check, blank, [{box: {x: 16, y: 16, width: 32, height: 32}, keypoints: [[24, 28], [40, 28]]}]);
    },
    dispose() {
      short.dispose();
      back.dispose();
      check.dispose();
    }
  };
}
