import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterAll, describe, expect, it} from "vitest";
import {rgbaToI420, writeY4mVideo} from "../../tools/browser/y4m.js";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "y4m-test-"));
afterAll(() => fs.rmSync(folder, {recursive: true, force: true}));

/** A width x height frame of one RGB colour. */
const flat = (width: number, height: number, [r, g, b]: number[]) => ({
  data: Uint8ClampedArray.from({length: width * height * 4}, (_, i) => [r, g, b, 255][i % 4]),
  width,
  height
});

describe("y4m", () => {
  it("rgbaToI420(frame) gives full-size luma then half-size chroma planes; grey has neutral chroma", () => {
    const planes = rgbaToI420(flat(4, 2, [100, 100, 100]));
    expect(Array.from(planes)).toEqual([...Array(8).fill(100), 128, 128, 128, 128]);
    const red = rgbaToI420(flat(2, 2, [255, 0, 0]));
    expect(Array.from(red)).toEqual([76, 76, 76, 76, 85, 255]);
    expect(() => rgbaToI420(flat(3, 2, [0, 0, 0]))).toThrow(/invalid frame size 3x2/);
  });

  it("writeY4mVideo(file, frames, {fps}) writes the header at that rate, then FRAME and the planes per frame", () => {
    const file = path.join(folder, "two.y4m");
    expect(writeY4mVideo(file, [flat(4, 2, [0, 0, 0]), flat(4, 2, [255, 255, 255])], {fps: 25})).toBe(2);
    const bytes = fs.readFileSync(file);
    const header = "YUV4MPEG2 W4 H2 F25:1 Ip A1:1 C420jpeg\n";
    expect(bytes.subarray(0, header.length).toString()).toBe(header);
    expect(bytes.length).toBe(header.length + 2 * ("FRAME\n".length + 12));
    expect(bytes.subarray(header.length, header.length + 6).toString()).toBe("FRAME\n");
  });

  it("writeY4mVideo rejects frames of different sizes and an empty video", () => {
    expect(() => writeY4mVideo(path.join(folder, "mixed.y4m"), [flat(4, 2, [0, 0, 0]), flat(2, 2, [0, 0, 0])])).toThrow(/frame 1 is 2x2, expected 4x2/);
    expect(() => writeY4mVideo(path.join(folder, "empty.y4m"), [])).toThrow(/no frames/);
  });
});
