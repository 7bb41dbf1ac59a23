import {describe, expect, it} from "vitest";
import jpeg from "jpeg-js";
import {PNG} from "pngjs";
import {
  LUMA_WEIGHTS_16,
  checkFaceSize,
  faceFromDecoded,
  imageFormat,
  imageSize,
  isFaceImageName,
  labelFaceImage,
  splitFromFileName,
  toGrey
} from "../../src/lib/fer2013-images.js";
import {EMOTIONS, SPLITS} from "../../src/lib/labels.js";

function encodePng(width: number, height: number): Uint8Array {
  const png = new PNG({width, height});
  png.data.fill(128);
  return PNG.sync.write(png);
}

function encodeJpeg(width: number, height: number): Uint8Array {
  return jpeg.encode({width, height, data: new Uint8Array(width * height * 4).fill(90)}, 90).data;
}

describe("toGrey", () => {
  it("toGrey(data, 3) keeps a grey RGB pixel's level exactly", () => {
    const levels = [0, 1, 77, 128, 254, 255];
    expect(Array.from(toGrey(levels.flatMap((v) => [v, v, v]), 3))).toEqual(levels);
  });

  it("toGrey(data, 3) weighs red, green and blue with BT.601 luma (0.299, 0.587, 0.114)", () => {
    const grey = toGrey([255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 100, 50], 3);
    const expected = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [200, 100, 50]].map(([r, g, b]) => Math.round(0.299 * r + 0.587 * g + 0.114 * b));
    expect(Array.from(grey)).toEqual(expected);
    expect(LUMA_WEIGHTS_16.reduce((sum: number, weight) => sum + weight, 0)).toBe(65536);
  });

  it("toGrey(data, 4) ignores alpha, as canvas ImageData gives it", () => {
    expect(Array.from(toGrey(new Uint8ClampedArray([10, 10, 10, 0, 200, 200, 200, 255]), 4))).toEqual([10, 200]);
  });

  it("toGrey(data, 1 | 2) takes the grey channel", () => {
    expect(Array.from(toGrey([5, 6, 7], 1))).toEqual([5, 6, 7]);
    expect(Array.from(toGrey([5, 255, 9, 0], 2))).toEqual([5, 9]);
  });
});

describe("image headers", () => {
  it("imageFormat(bytes) tells jpeg and png apart by their first bytes, not the name", () => {
    expect(imageFormat(encodeJpeg(48, 48))).toBe("jpeg");
    expect(imageFormat(encodePng(48, 48))).toBe("png");
    expect(imageFormat(new TextEncoder().encode("GIF89a"))).toBeUndefined();
  });

  it("imageSize(bytes, file) reads width and height without decoding", () => {
    expect(imageSize(encodeJpeg(64, 32), "a.jpg")).toEqual({format: "jpeg", width: 64, height: 32});
    expect(imageSize(encodePng(48, 50), "a.png")).toEqual({format: "png", width: 48, height: 50});
  });

  it("imageSize(bytes, file) rejects a truncated jpeg or a non-image, naming the file", () => {
    expect(() => imageSize(encodeJpeg(48, 48).subarray(0, 20), "x/a.jpg")).toThrow(/^x\/a\.jpg: corrupt jpeg/);
    expect(() => imageSize(new TextEncoder().encode("hello"), "x/b.jpg")).toThrow(/^x\/b\.jpg: not a jpeg or png image/);
  });

  it("checkFaceSize(size, file) rejects anything but 48x48, naming the file and its size", () => {
    expect(() => checkFaceSize({width: 48, height: 48}, "f.png")).not.toThrow();
    expect(() => checkFaceSize({width: 96, height: 96}, "train/sad/f.png")).toThrow("train/sad/f.png: image is 96x96, expected 48x48");
  });

  it("faceFromDecoded(image, file) turns 48x48 RGBA into 2304 grey levels", () => {
    const data = new Uint8Array(48 * 48 * 4).fill(255).map((v, i) => (i % 4 === 0 ? 100 : i % 4 === 3 ? 255 : 0));
    const face = faceFromDecoded({width: 48, height: 48, data}, "f.png");
    expect(face.length).toBe(2304);
    expect(face[0]).toBe(Math.round(0.299 * 100));
  });

  it("isFaceImageName(name) takes .jpg, .jpeg and .png in any case", () => {
    expect(["a.jpg", "a.JPEG", "a.png"].map(isFaceImageName)).toEqual([true, true, true]);
    expect(["a.gif", "a.jpg.txt", "README"].map(isFaceImageName)).toEqual([false, false, false]);
  });
});

describe("labelFaceImage", () => {
  it("labelFaceImage(id) maps the class folder by name: sad is 4, not its alphabetical rank 5", () => {
    const alphabetical = [...EMOTIONS].sort();
    expect(alphabetical.indexOf("sad")).toBe(5);
    expect(labelFaceImage("train/sad/Training_1.jpg").label).toBe(4);
    for (const [index, name] of EMOTIONS.entries()) expect(labelFaceImage(`train/${name}/Training_1.jpg`).label).toBe(index);
  });

  it("labelFaceImage(id) takes the split from the file-name prefix", () => {
    expect(SPLITS[labelFaceImage("test/happy/PublicTest_9.jpg").split]).toBe("PublicTest");
    expect(SPLITS[labelFaceImage("test/happy/PrivateTest_9.jpg").split]).toBe("PrivateTest");
    expect(SPLITS[labelFaceImage("train/happy/Training_9.jpg").split]).toBe("Training");
    expect(splitFromFileName("face.jpg")).toBe(-1);
  });

  it("labelFaceImage(id) falls back to train/ for Training when the name has no prefix", () => {
    expect(SPLITS[labelFaceImage("train/fear/im42.png").split]).toBe("Training");
  });

  it("labelFaceImage(id) rejects a test/ file without a PublicTest_ or PrivateTest_ prefix", () => {
    expect(() => labelFaceImage("test/fear/im42.png")).toThrow(
      "test/fear/im42.png: cannot tell PublicTest from PrivateTest, expected a PublicTest_ or PrivateTest_ file-name prefix"
    );
  });

  it("labelFaceImage(id, {rootName}) reads a root that holds the class folders directly", () => {
    expect(labelFaceImage("angry/x.jpg", {rootName: "train"})).toEqual({label: 0, split: 0});
    expect(labelFaceImage("neutral/PrivateTest_3.jpg", {rootName: "faces"})).toEqual({label: 6, split: 2});
    expect(() => labelFaceImage("angry/x.jpg", {rootName: "faces"})).toThrow(/angry\/x\.jpg: cannot tell the split/);
  });

  it("labelFaceImage(id) rejects an unknown class folder, naming it", () => {
    expect(() => labelFaceImage("train/contempt/Training_1.jpg", {file: "/data/train/contempt/Training_1.jpg"})).toThrow(
      '/data/train/contempt/Training_1.jpg: unknown class folder "contempt", expected one of angry, disgust'
    );
  });
});
