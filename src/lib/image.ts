// Pixels and rectangles of RGBA pictures, shared by the face detector (blazeface.ts), the face crop
// (face-crop.ts, face-align.ts) and the tools that build test scenes: the picture and box types, overlap of
// boxes, and area-averaging resampling. Pure: canvas ImageData, jpeg-js and pngjs output all fit.

/** An RGBA picture, 4 bytes per pixel, row-major. */
export interface RgbaImage {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** An axis-aligned rectangle in picture pixels (x, y: top-left corner; pixel edges, not centres). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Point = [number, number];

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width), y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * For each output index along one axis, the source indices and weights that make it: the area covered
 * (box filter) when shrinking, bilinear between pixel centres when enlarging. Indices outside
 * [0, limit) mean "padding".
 */
function axisTaps(start: number, length: number, out: number, limit: number): {offsets: Int32Array; index: Int32Array; weight: Float32Array} {
  const step = length / out;
  const offsets = new Int32Array(out + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < out; o++) {
    offsets[o] = index.length;
    if (step >= 1) {
      const s0 = start + o * step, s1 = s0 + step;
      for (let p = Math.floor(s0); p < Math.ceil(s1); p++) {
        const w = Math.min(p + 1, s1) - Math.max(p, s0);
        if (w > 1e-6) {
          index.push(p);
          weight.push(w / step);
        }
      }
    } else {
      const s = start + (o + 0.5) * step - 0.5;
      if (s < -0.5 || s > limit - 0.5) {
        index.push(-1);
        weight.push(1);
      } else {
        const c = Math.min(Math.max(s, 0), limit - 1);
        const p = Math.floor(c), f = c - p;
        index.push(p);
        weight.push(1 - f);
        if (f > 0) {
          index.push(Math.min(p + 1, limit - 1));
          weight.push(f);
        }
      }
    }
  }
  offsets[out] = index.length;
  return {offsets, index: Int32Array.from(index), weight: Float32Array.from(weight)};
}

/**
 * The RGB pixels (0..255 floats, interleaved) of `region` of `image`, resized to outWidth x outHeight with
 * area averaging when shrinking (no aliasing) and bilinear interpolation when enlarging. Parts of the
 * region outside the picture read as `pad` (e.g. the letterbox of a square detector input).
 */
export function resampleRgb(image: RgbaImage, region: Box, outWidth: number, outHeight: number, pad = 0): Float32Array {
  const {data, width, height} = image;
  const tx = axisTaps(region.x, region.width, outWidth, width);
  const ty = axisTaps(region.y, region.height, outHeight, height);
  // Horizontal pass on the rows the vertical pass reads.
  let rowMin = height, rowMax = -1;
  for (const r of ty.index) if (r >= 0 && r < height) (rowMin = Math.min(rowMin, r)), (rowMax = Math.max(rowMax, r));
  const rows = Math.max(0, rowMax - rowMin + 1);
  const tmp = new Float32Array(rows * outWidth * 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = (rowMin + r) * width * 4;
    for (let o = 0; o < outWidth; o++) {
      let red = 0, green = 0, blue = 0;
      for (let k = tx.offsets[o]; k < tx.offsets[o + 1]; k++) {
        const p = tx.index[k], w = tx.weight[k];
        if (p < 0 || p >= width) {
          red += w * pad; green += w * pad; blue += w * pad;
        } else {
          const j = rowStart + p * 4;
          red += w * data[j]; green += w * data[j + 1]; blue += w * data[j + 2];
        }
      }
      const t = (r * outWidth + o) * 3;
      tmp[t] = red; tmp[t + 1] = green; tmp[t + 2] = blue;
    }
  }
  const out = new Float32Array(outWidth * outHeight * 3);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let k = ty.offsets[oy]; k < ty.offsets[oy + 1]; k++) {
      const r = ty.index[k], w = ty.weight[k];
      const base = oy * outWidth * 3;
      if (r < 0 || r >= height) {
        for (let i = 0; i < outWidth * 3; i++) out[base + i] += w * pad;
      } else {
        const src = (r - rowMin) * outWidth * 3;
        for (let i = 0; i < outWidth * 3; i++) out[base + i] += w * tmp[src + i];
      }
    }
  }
  return out;
}
