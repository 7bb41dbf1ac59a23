// Videos for Chromium's fake camera (--use-file-for-fake-video-capture): RGBA frames written as a 4:2:0
// y4m file, frame by frame (a long video need not fit in memory). Chromium plays the file at its frame rate
// and loops it. Used by the end-to-end tests and the pipeline bench; the videos live in temporary folders.

import fs from "node:fs";
import type {RgbaImage} from "../../src/lib/image.js";

/** One RGBA frame as y4m's planes: full-size luma, then the two chroma planes at half size (JPEG's BT.601 full range). */
export function rgbaToI420({data, width, height}: RgbaImage): Uint8Array {
  if (width % 2 || height % 2) throw new Error(`invalid frame size ${width}x${height}: expected even sides for 4:2:0`);
  const out = new Uint8Array(width * height * 1.5);
  const u = out.subarray(width * height, width * height * 1.25), v = out.subarray(width * height * 1.25);
  for (let i = 0; i < width * height; i++) out[i] = Math.round(0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2]);
  for (let row = 0; row < height / 2; row++) {
    for (let col = 0; col < width / 2; col++) {
      const i = (row * 2 * width + col * 2) * 4;
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      u[row * (width / 2) + col] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
      v[row * (width / 2) + col] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
    }
  }
  return out;
}

/** Writes `frames` (all of one size) to `file` as a y4m video at `fps` frames per second; returns the frame count. */
export function writeY4mVideo(file: string, frames: Iterable<RgbaImage>, {fps = 10}: {fps?: number} = {}): number {
  const fd = fs.openSync(file, "w");
  let count = 0, size: string | null = null;
  try {
    for (const frame of frames) {
      const here = `${frame.width}x${frame.height}`;
      if (size === null) {
        size = here;
        fs.writeSync(fd, `YUV4MPEG2 W${frame.width} H${frame.height} F${fps}:1 Ip A1:1 C420jpeg\n`);
      } else if (here !== size) throw new Error(`frame ${count} is ${here}, expected ${size} like the first`);
      fs.writeSync(fd, "FRAME\n");
      fs.writeSync(fd, rgbaToI420(frame));
      count++;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (!count) throw new Error(`no frames for ${file}: expected at least one`);
  return count;
}
