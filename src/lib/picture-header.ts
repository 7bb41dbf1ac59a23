// What a picture file's first and last bytes say before any decoding: its format, its size in pixels (so a
// 30000 x 30000 picture is refused as too large instead of failing to decode as "damaged"), and whether it
// ends where its format says it must (a JPEG cut short decodes to a picture with a grey bottom, silently).
// Pure: the classifier page calls it on the file's bytes; nothing here decodes pixels.

export type PictureFormat = "jpeg" | "png" | "gif" | "webp" | "bmp";

export interface PictureHeader {
  format: PictureFormat;
  /** Null when the header does not say (it is then left to the decoder). */
  width: number | null;
  height: number | null;
  /** The file stops before its format's end marker: part of the picture is missing. */
  truncated: boolean;
}

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

function jpegSize(bytes: Uint8Array): {width: number | null; height: number | null} {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    // SOF0..SOF15, except DHT (c4), JPG (c8) and DAC (cc).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && i + 9 <= bytes.length) {
      return {height: (bytes[i + 5] << 8) | bytes[i + 6], width: (bytes[i + 7] << 8) | bytes[i + 8]};
    }
    i += 2 + length;
  }
  return {width: null, height: null};
}

/** A JPEG ends with its end-of-image marker (FF D9); some writers pad after it, so the tail is searched. */
function jpegEnds(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= Math.max(2, bytes.length - 4096); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

/** The header of a picture file, or null when its first bytes are none of the formats above. */
export function readPictureHeader(bytes: Uint8Array): PictureHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return {format: "jpeg", ...jpegSize(bytes), truncated: !jpegEnds(bytes)};
  }
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === "PNG") {
    const sized = bytes.length >= 24 && ascii(bytes, 12, 4) === "IHDR";
    return {
      format: "png",
      width: sized ? view.getUint32(16) : null,
      height: sized ? view.getUint32(20) : null,
      truncated: bytes.length < 12 || ascii(bytes, bytes.length - 8, 4) !== "IEND"
    };
  }
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a")) {
    const sized = bytes.length >= 10;
    return {format: "gif", width: sized ? view.getUint16(6, true) : null, height: sized ? view.getUint16(8, true) : null, truncated: bytes[bytes.length - 1] !== 0x3b};
  }
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") {
    const declared = view.getUint32(4, true) + 8;
    const chunk = bytes.length >= 16 ? ascii(bytes, 12, 4) : "";
    let width: number | null = null, height: number | null = null;
    if (chunk === "VP8X" && bytes.length >= 30) {
      width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
      height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    } else if (chunk === "VP8 " && bytes.length >= 30) {
      width = view.getUint16(26, true) & 0x3fff;
      height = view.getUint16(28, true) & 0x3fff;
    } else if (chunk === "VP8L" && bytes.length >= 25) {
      const bits = view.getUint32(21, true);
      width = 1 + (bits & 0x3fff);
      height = 1 + ((bits >> 14) & 0x3fff);
    }
    return {format: "webp", width, height, truncated: bytes.length < declared};
  }
  if (bytes.length >= 26 && ascii(bytes, 0, 2) === "BM") {
    const declared = view.getUint32(2, true);
    return {format: "bmp", width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)), truncated: declared > bytes.length};
  }
  return null;
}
