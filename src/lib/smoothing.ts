// Per-face smoothing for the live camera: faces are followed from frame to frame by box overlap
// (IoU), and each face's class probabilities and box are averaged exponentially over its own frames,
// so one face's flicker never bleeds into another's.

import type {Box} from "./face-crop.js";

/** One face followed across frames. */
export interface Track {
  id: number;
  box: Box;
  probabilities: number[];
  /** Frames in a row in which no detection matched this face. */
  missed: number;
  /** Frames this face has been seen in. */
  age: number;
}

/** One frame's result for one face, before smoothing. */
export interface Detection {
  box: Box;
  probabilities: ArrayLike<number>;
}

export interface SmoothingOptions {
  /** Weight of the past, 0 (no smoothing: show each frame as it is) to below 1 (very slow). */
  smoothing?: number;
  /** Least box overlap for a detection to continue a face. */
  minIou?: number;
  /** Frames a face may go undetected before it is forgotten. */
  maxMissed?: number;
}

export interface TrackerState {
  tracks: Track[];
  nextId: number;
}

export const EMPTY_TRACKER: TrackerState = {tracks: [], nextId: 1};

/** Intersection over union of two boxes, 0 when they do not touch. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

function blend(past: number, now: number, smoothing: number): number {
  return smoothing * past + (1 - smoothing) * now;
}

/**
 * The tracker after one frame, and for each detection (in order) the smoothed track it belongs to.
 * Detections are matched to faces greedily, best overlap first; an unmatched detection starts a face.
 */
export function updateTracks(
  state: TrackerState,
  detections: readonly Detection[],
  {smoothing = 0.6, minIou = 0.3, maxMissed = 5}: SmoothingOptions = {}
): {state: TrackerState; matched: Track[]} {
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`invalid smoothing ${smoothing}: expected a number in [0, 1)`);
  const pairs: [number, number, number][] = [];
  state.tracks.forEach((track, t) =>
    detections.forEach((detection, d) => {
      const overlap = iou(track.box, detection.box);
      if (overlap >= minIou) pairs.push([overlap, t, d]);
    })
  );
  pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const trackOf = new Array<number>(detections.length).fill(-1);
  const taken = new Set<number>();
  for (const [, t, d] of pairs) {
    if (taken.has(t) || trackOf[d] !== -1) continue;
    taken.add(t);
    trackOf[d] = t;
  }
  let nextId = state.nextId;
  const matched = detections.map((detection, d): Track => {
    const probabilities = Array.from(detection.probabilities);
    const t = trackOf[d];
    if (t === -1) return {id: nextId++, box: {...detection.box}, probabilities, missed: 0, age: 1};
    const past = state.tracks[t];
    if (past.probabilities.length !== probabilities.length) {
      throw new Error(`detection ${d} has ${probabilities.length} probabilities, expected ${past.probabilities.length}`);
    }
    return {
      id: past.id,
      box: {
        x: blend(past.box.x, detection.box.x, smoothing),
        y: blend(past.box.y, detection.box.y, smoothing),
        width: blend(past.box.width, detection.box.width, smoothing),
        height: blend(past.box.height, detection.box.height, smoothing)
      },
      probabilities: probabilities.map((p, k) => blend(past.probabilities[k], p, smoothing)),
      missed: 0,
      age: past.age + 1
    };
  });
  const kept = state.tracks
    .filter((_, t) => !taken.has(t))
    .map((track) => ({...track, missed: track.missed + 1}))
    .filter((track) => track.missed <= maxMissed);
  return {state: {tracks: [...matched, ...kept], nextId}, matched};
}
