// From a BlazeFace detection to the model's 48x48 grey input, framed as FER2013 frames its faces:
// a square whose centre, side and rotation come from the eye keypoints (and the box), calibrated on
// Training scenes (the pipeline benchmark's faces, tools/bench/pipeline.ts), then resampled upright.
// Pure functions on RGBA arrays: the same bytes in Node and the browser. Grey is the project's one toGrey.

import type {Box, Point, RgbaImage} from "./image.js";
import {toGrey} from "./fer2013-images.js";

/** A face's square in the picture: centre, side, and rotation (radians, clockwise on screen: the eye line's angle). */
export interface FaceSquare {
  cx: number;
  cy: number;
  side: number;
  angle: number;
}

/**
 * How a detection maps to FER2013's square. With E the eye midpoint, d the eye distance, θ the eye line's
 * angle, "down" the unit vector perpendicular to the eye line towards the mouth, and "right" along it:
 *   eyes: centre = E + down·(a·d) + right·(a2·d), side = b·d
 *   box:  centre = box centre + down·(shift·side) , side = c·√(box area)
 *   mixed: the box rule for the side (the box varies less with yaw than the eye distance does), the eyes
 *   for the centre, scaled by that side: centre = E + down·(a·side), side = c·√(box area).
 * angle = eye-line angle + angleOffset when aligning, 0 when not.
 */
export interface CropCalibration {
  mode: "eyes" | "box" | "mixed";
  a: number;
  a2: number;
  b: number;
  c: number;
  shift: number;
  angleOffset: number;
}

/**
 * Fitted (medians) on Training scenes (seed 7: 300 scenes, 492 faces found by the photo
 * preset; BlazeFace back and short range agree to 0.01): the FER2013 square's side is 1.19 x the BlazeFace
 * box's (geometric mean) side, its centre 0.10 of that side below the eye midpoint. "eyes" mode: 2.77 eye
 * distances, centre 0.285 eye distances below the eyes; "box" mode: centre 0.07 of the side above the box
 * centre. Fitted angle offset 0.5 degrees and sideways offset 0.002: rounded to 0.
 */
export const DEFAULT_CALIBRATION: CropCalibration = {mode: "mixed", a: 0.1, a2: 0, b: 2.77, c: 1.19, shift: -0.07, angleOffset: 0};

export interface Keypointed {
  box: Box;
  /** At least the two eyes first, as BlazeFace gives them: the person's right eye (image left), then left. */
  keypoints: Point[];
}

/** The eye geometry of a detection: midpoint, distance, eye-line angle. */
export function eyes(det: Keypointed): {ex: number; ey: number; d: number; angle: number} {
  const [[rx, ry], [lx, ly]] = det.keypoints;
  return {ex: (rx + lx) / 2, ey: (ry + ly) / 2, d: Math.hypot(lx - rx, ly - ry), angle: Math.atan2(ly - ry, lx - rx)};
}

/**
 * FER2013's square for a detection; `align` false keeps it upright (angle 0) but still places it with the
 * eyes; `minAngle` (radians) keeps it upright unless the eye line is tilted at least that much (the eye-line
 * estimate is noisy: median error ~6 degrees on the benchmark faces).
 */
export function faceSquare(det: Keypointed, cal: CropCalibration = DEFAULT_CALIBRATION, {align = true, minAngle = 0} = {}): FaceSquare {
  const {ex, ey, d, angle: eyeAngle} = eyes(det);
  const angle = eyeAngle + cal.angleOffset;
  // Placement uses the measured eye line even when the crop stays upright: it only moves the centre.
  const downX = -Math.sin(angle), downY = Math.cos(angle), rightX = Math.cos(angle), rightY = Math.sin(angle);
  const boxSide = Math.sqrt(det.box.width * det.box.height);
  const bcx = det.box.x + det.box.width / 2, bcy = det.box.y + det.box.height / 2;
  let cx: number, cy: number, side: number;
  if (cal.mode === "eyes") {
    side = cal.b * d;
    cx = ex + downX * cal.a * d + rightX * cal.a2 * d;
    cy = ey + downY * cal.a * d + rightY * cal.a2 * d;
  } else if (cal.mode === "box") {
    side = cal.c * boxSide;
    cx = bcx + downX * cal.shift * side;
    cy = bcy + downY * cal.shift * side;
  } else {
    side = cal.c * boxSide;
    cx = ex + downX * cal.a * side + rightX * cal.a2 * side;
    cy = ey + downY * cal.a * side + rightY * cal.a2 * side;
  }
  return {cx, cy, side, angle: align && Math.abs(angle) >= minAngle ? angle : 0};
}

/**
 * A possibly rotated square of `channels`-plane pixels (`plane`: rw x rh values per channel, interleaved,
 * whose top-left sits at picture pixel (x0, y0)), resampled to size x size and upright: each output pixel
 * averages n x n bilinear samples over its footprint (n = ceil(side / size), at most `maxSamples`).
 * Outside the plane: the nearest edge pixel repeats ("edge") or reads 0 ("zero").
 */
function rotatedResample(
  plane: Float32Array, rw: number, rh: number, x0: number, y0: number, channels: number,
  sq: FaceSquare, size: number, {maxSamples, outside}: {maxSamples: number; outside: "edge" | "zero"}
): Float32Array {
  const out = new Float32Array(size * size * channels);
  if (rw <= 0 || rh <= 0) return out;
  const c = Math.cos(sq.angle), s = Math.sin(sq.angle);
  const step = sq.side / size;
  const n = Math.min(maxSamples, Math.max(1, Math.ceil(step)));
  const value = (x: number, y: number, k: number) =>
    outside === "zero" && (x < 0 || y < 0 || x >= rw || y >= rh) ? 0 : plane[(Math.min(Math.max(y, 0), rh - 1) * rw + Math.min(Math.max(x, 0), rw - 1)) * channels + k];
  const weight = 1 / (n * n);
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      const at = (oy * size + ox) * channels;
      for (let sy = 0; sy < n; sy++) {
        const v = (oy + (sy + 0.5) / n) * step - sq.side / 2;
        for (let sx = 0; sx < n; sx++) {
          const u = (ox + (sx + 0.5) / n) * step - sq.side / 2;
          // Face (u right, v down) -> picture -> pixel-centre coordinates of the plane.
          const fx = sq.cx + c * u - s * v - 0.5 - x0, fy = sq.cy + s * u + c * v - 0.5 - y0;
          const ix = Math.floor(fx), iy = Math.floor(fy), dx = fx - ix, dy = fy - iy;
          for (let k = 0; k < channels; k++) {
            const top = value(ix, iy, k) * (1 - dx) + value(ix + 1, iy, k) * dx;
            const bottom = value(ix, iy + 1, k) * (1 - dx) + value(ix + 1, iy + 1, k) * dx;
            out[at + k] += (top * (1 - dy) + bottom * dy) * weight;
          }
        }
      }
    }
  }
  return out;
}

/** The picture's pixel rectangle under a rotated square (plus two pixels for bilinear neighbours), clipped to the picture. */
function squareBounds(image: {width: number; height: number}, sq: FaceSquare) {
  const half = (sq.side / 2) * (Math.abs(Math.cos(sq.angle)) + Math.abs(Math.sin(sq.angle))) + 2;
  const x0 = Math.max(0, Math.floor(sq.cx - half)), x1 = Math.min(image.width, Math.ceil(sq.cx + half));
  const y0 = Math.max(0, Math.floor(sq.cy - half)), y1 = Math.min(image.height, Math.ceil(sq.cy + half));
  return {x0, y0, rw: Math.max(0, x1 - x0), rh: Math.max(0, y1 - y0)};
}

/**
 * The grey pixels (BT.601, rounded to 8 bits as FER2013's) of a possibly rotated square, resampled to
 * size x size and upright: each output pixel averages n x n bilinear samples spread over its footprint
 * (n = ceil(side / size), at most 8), so a 400-pixel face does not alias. Outside the picture the
 * nearest edge pixel repeats.
 */
export function alignedGreyCrop(image: RgbaImage, sq: FaceSquare, size = 48): Uint8Array {
  const {data, width} = image;
  const {x0, y0, rw, rh} = squareBounds(image, sq);
  const grey = new Float32Array(rw * rh);
  for (let y = 0; y < rh; y++) {
    const start = ((y + y0) * width + x0) * 4;
    grey.set(toGrey(data.subarray(start, start + rw * 4), 4), y * rw);
  }
  const values = rotatedResample(grey, rw, rh, x0, y0, 1, sq, size, {maxSamples: 8, outside: "edge"});
  return Uint8Array.from(values, Math.round);
}

/**
 * The RGB pixels (0..255 floats, interleaved) of a possibly rotated square, upright at size x size; outside
 * the picture reads 0. `maxSamples` bounds the n x n samples per output pixel (1: plain bilinear, the
 * cheapest, for a network input such as face-check.ts's).
 */
export function alignedRgb(image: RgbaImage, sq: FaceSquare, size: number, {maxSamples = 1} = {}): Float32Array {
  const {data, width} = image;
  const {x0, y0, rw, rh} = squareBounds(image, sq);
  const rgb = new Float32Array(rw * rh * 3);
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      const from = ((y + y0) * width + x + x0) * 4, to = (y * rw + x) * 3;
      rgb[to] = data[from];
      rgb[to + 1] = data[from + 1];
      rgb[to + 2] = data[from + 2];
    }
  }
  return rotatedResample(rgb, rw, rh, x0, y0, 3, sq, size, {maxSamples, outside: "zero"});
}

/** The four corners of a square, clockwise on screen. */
export function corners(sq: FaceSquare): Point[] {
  const c = Math.cos(sq.angle), s = Math.sin(sq.angle), h = sq.side / 2;
  return [[-h, -h], [h, -h], [h, h], [-h, h]].map(([u, v]) => [sq.cx + c * u - s * v, sq.cy + s * u + c * v] as Point);
}

function polygonArea(p: Point[]): number {
  let a = 0;
  for (let i = 0; i < p.length; i++) {
    const [x0, y0] = p[i], [x1, y1] = p[(i + 1) % p.length];
    a += x0 * y1 - x1 * y0;
  }
  return Math.abs(a) / 2;
}

/** Intersection over union of two (rotated) squares: Sutherland-Hodgman clipping of convex polygons. */
export function squareIou(a: FaceSquare, b: FaceSquare): number {
  let poly = corners(a);
  const clip = corners(b);
  for (let i = 0; i < clip.length && poly.length; i++) {
    const [ax, ay] = clip[i], [bx, by] = clip[(i + 1) % clip.length];
    const side = ([x, y]: Point) => (bx - ax) * (y - ay) - (by - ay) * (x - ax); // >= 0: inside (clockwise on screen)
    const next: Point[] = [];
    for (let k = 0; k < poly.length; k++) {
      const p = poly[k], q = poly[(k + 1) % poly.length];
      const sp = side(p), sq = side(q);
      if (sp >= 0) next.push(p);
      if (sp >= 0 !== sq >= 0) {
        const t = sp / (sp - sq);
        next.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    }
    poly = next;
  }
  const inter = poly.length >= 3 ? polygonArea(poly) : 0;
  return inter / (a.side * a.side + b.side * b.side - inter);
}
