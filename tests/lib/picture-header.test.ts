import {describe, expect, it} from "vitest";
import jpeg from "jpeg-js";
import {PNG} from "pngjs";
import {readPictureHeader} from "../../src/lib/picture-header.js";

function jpegBytes(width: number, height: number): Uint8Array {
  return jpeg.encode({data: Buffer.alloc(width * height * 4, 128), width, height}, 80).data;
}

function pngBytes(width: number, height: number): Uint8Array {
  const png = new PNG({width, height});
  png.data.fill(200);
  return PNG.sync.write(png);
}

describe("readPictureHeader", () => {
  it("readPictureHeader(bytes) reads a JPEG's and a PNG's size without decoding, and sees they are whole", () => {
    expect(readPictureHeader(jpegBytes(30, 20))).toEqual({format: "jpeg", width: 30, height: 20, truncated: false});
    expect(readPictureHeader(pngBytes(7, 9))).toEqual({format: "png", width: 7, height: 9, truncated: false});
  });

  it("readPictureHeader(bytes) flags a JPEG or a PNG cut short", () => {
    const whole = jpegBytes(64, 64);
    expect(readPictureHeader(whole.subarray(0, whole.length - 40))).toMatchObject({format: "jpeg", width: 64, truncated: true});
    const png = pngBytes(16, 16);
    expect(readPictureHeader(png.subarray(0, png.length - 20))).toMatchObject({format: "png", width: 16, truncated: true});
  });

  it("readPictureHeader(bytes) reads a 30000 x 30000 size from a header alone (so the page refuses it as too large)", () => {
    const header = pngBytes(1, 1);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    view.setUint32(16, 30000);
    view.setUint32(20, 30000);
    expect(readPictureHeader(header)).toMatchObject({format: "png", width: 30000, height: 30000});
  });

  it("readPictureHeader(bytes) reads GIF, WebP (VP8X) and BMP sizes", () => {
    const gif = Uint8Array.from([...Buffer.from("GIF89a"), 0x40, 0x01, 0xf0, 0x00, 0, 0, 0, 0x3b]);
    expect(readPictureHeader(gif)).toEqual({format: "gif", width: 320, height: 240, truncated: false});
    const webp = new Uint8Array(30);
    webp.set(Buffer.from("RIFF"), 0);
    new DataView(webp.buffer).setUint32(4, 22, true);
    webp.set(Buffer.from("WEBPVP8X"), 8);
    webp.set([639 & 0xff, 639 >> 8, 0, 479 & 0xff, 479 >> 8, 0], 24);
    expect(readPictureHeader(webp)).toEqual({format: "webp", width: 640, height: 480, truncated: false});
    const bmp = new Uint8Array(54);
    bmp.set(Buffer.from("BM"), 0);
    const view = new DataView(bmp.buffer);
    view.setUint32(2, 54, true);
    view.setInt32(18, 100, true);
    view.setInt32(22, -50, true);
    expect(readPictureHeader(bmp)).toEqual({format: "bmp", width: 100, height: 50, truncated: false});
  });

  it("readPictureHeader(bytes) is null for bytes of no known picture format", () => {
    expect(readPictureHeader(new TextEncoder().encode("hello, not a picture"))).toBeNull();
    expect(readPictureHeader(new Uint8Array(0))).toBeNull();
  });
});
