// Pictures and videos the end-to-end tests write for themselves (nothing of FER2013 is committed): face-api's
// sample photos, PNGs too large to decode, letterboxed frames, frames of FER2013 faces when the dataset is here,
// and the y4m videos Chromium's fake camera plays.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import {fileURLToPath} from "node:url";
import jpeg from "jpeg-js";
import {EMOTIONS} from "../../src/lib/labels.js";
import type {RgbaImage} from "../../src/lib/face-crop.js";
import {loadFer2013} from "../../tools/fer2013.js";
import {writeY4mVideo} from "../../tools/browser/y4m.js";
import {facePixels, splitIndices} from "../../src/lib/dataset.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SAMPLES = path.join(ROOT, "node_modules/@vladmandic/face-api/demo");

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A valid black-and-white PNG of width x height that stays tiny on disk (1 bit per pixel, deflated). */
export function hugePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows, {level: 9})),
    chunk("IEND", Buffer.alloc(0))
  ]);
}

export function decodeJpeg(file: string): RgbaImage {
  const {data, width, height} = jpeg.decode(fs.readFileSync(file), {useTArray: true, formatAsRGBA: true});
  return {data, width, height};
}

/** RGBA picture resized (nearest pixel is enough for fixtures) into a width x height frame, centred on grey. */
export function letterbox(image: RgbaImage, width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4).fill(96);
  const scale = Math.min(width / image.width, height / image.height);
  const w = Math.floor(image.width * scale), h = Math.floor(image.height * scale);
  const left = Math.floor((width - w) / 2), top = Math.floor((height - h) / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const source = (Math.floor(y / scale) * image.width + Math.floor(x / scale)) * 4;
      data.set(image.data.subarray(source, source + 4), ((top + y) * width + left + x) * 4);
    }
  }
  return {data, width, height};
}

/** Six FER2013 PrivateTest faces, enlarged to 150 px with a margin, in a 640x480 frame. */
export async function datasetFrame(): Promise<RgbaImage> {
  const dataset = await loadFer2013();
  const picked = Array.from(splitIndices(dataset, "PrivateTest")).filter((i) => EMOTIONS[dataset.labels[i]] === "happy").slice(0, 6);
  const width = 640, height = 480, size = 150;
  const data = new Uint8Array(width * height * 4).fill(128);
  picked.forEach((face, k) => {
    const pixels = facePixels(dataset, face);
    const left = 35 + (k % 3) * 200, top = 50 + Math.floor(k / 3) * 210;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = pixels[Math.floor((y * 48) / size) * 48 + Math.floor((x * 48) / size)];
        data.set([v, v, v, 255], ((top + y) * width + left + x) * 4);
      }
    }
  });
  return {data, width, height};
}

/** A 4:2:0 y4m video (what Chromium's fake camera reads) repeating one RGBA frame. */
export function writeY4m(file: string, frame: RgbaImage, frames = 10): void {
  writeY4mVideo(file, Array.from({length: frames}, () => frame), {fps: 10});
}

export function decodeJpegSize(file: string): {width: number; height: number} {
  const {width, height} = jpeg.decode(fs.readFileSync(file), {useTArray: true});
  return {width, height};
}
