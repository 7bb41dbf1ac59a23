// Strict, streaming parser for Kaggle's fer2013.csv (`emotion,pixels,Usage`), byte by byte.
// Pure: it is fed Uint8Array chunks (from node:fs in tools/fer2013.ts, or from a browser stream), so
// the ~290 MB file is never one string, and each pixel goes straight from the digits into one Uint8Array.

import {NUM_CLASSES, SPLITS, EMOTIONS, splitIndex} from "./labels.js";
import {IMAGE_PIXELS, type Fer2013Dataset} from "./dataset.js";

/** The header columns, in Kaggle's order; any order of these three names is accepted. */
export const FER2013_CSV_COLUMNS = ["emotion", "pixels", "Usage"] as const;

export interface Fer2013CsvParserOptions {
  /** The file name used in error messages and ids ("fer2013.csv" -> ids "fer2013.csv:2"). */
  file: string;
  /** The file's size in bytes when known: sizes the output once instead of growing it. */
  expectedBytes?: number;
}

const NEWLINE = 10, RETURN = 13, COMMA = 44, SPACE = 32, TAB = 9, QUOTE = 34, ZERO = 48, NINE = 57;
// The shortest possible row: 2304 one-digit pixels, 2303 spaces, "0," and ",Training" and a newline.
const MIN_ROW_BYTES = 2 * IMAGE_PIXELS + 10;
const MAX_TEXT_FIELD = 64;

/**
 * Push-parser: `push(chunk)` as bytes arrive, then `end()` returns the dataset.
 * Every problem throws an Error naming the file, the 1-based line and what was expected.
 */
export class Fer2013CsvParser {
  readonly file: string;
  private readonly idPrefix: string;
  private line = 1;
  private inHeader = true;
  private headerText = "";
  private sawAnyByte = false;
  private bom = 0; // bytes of a UTF-8 byte-order mark still to skip at the very start
  // column positions, from the header
  private emotionColumn = 0;
  private pixelsColumn = 1;
  private columnCount = 3;
  // the row being parsed
  private field = 0;
  private rowStarted = false;
  private quoted = false;
  private fieldClosed = false; // a closing quote was seen; only separators may follow
  private text = "";
  private pixelCount = 0;
  private pixelValue = 0;
  private pixelDigits = 0;
  private pixelToken = ""; // the digits of a pixel token cut by the last chunk boundary
  private rowLabel = -1;
  private rowSplit = -1;
  // the output, grown by doubling unless sized from expectedBytes
  private rows = 0;
  private capacity: number;
  private pixels: Uint8Array;
  private labels: Uint8Array;
  private splits: Uint8Array;
  private ids: string[] = [];

  constructor({file, expectedBytes}: Fer2013CsvParserOptions) {
    this.file = file;
    this.idPrefix = `${file.split(/[\\/]/).pop()}:`;
    this.capacity = expectedBytes ? Math.ceil(expectedBytes / MIN_ROW_BYTES) + 1 : 1024;
    this.pixels = new Uint8Array(this.capacity * IMAGE_PIXELS);
    this.labels = new Uint8Array(this.capacity);
    this.splits = new Uint8Array(this.capacity);
  }

  /** Faces parsed so far. */
  get rowCount(): number {
    return this.rows;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    if (!this.sawAnyByte && n > 0) {
      this.sawAnyByte = true;
      if (chunk[0] === 0xef) this.bom = 3;
    }
    while (this.bom > 0 && i < n) this.bom--, i++;
    while (i < n) {
      if (this.inHeader) {
        i = this.pushHeader(chunk, i);
        continue;
      }
      const c = chunk[i];
      if (this.field === this.pixelsColumn && !this.fieldClosed && c !== COMMA && c !== NEWLINE && c !== RETURN && c !== QUOTE) {
        i = this.pushPixels(chunk, i);
        continue;
      }
      i++;
      if (c === NEWLINE) this.endRow();
      else if (c === COMMA && !this.quoted) this.endField();
      else if (c === RETURN) continue;
      else if (c === QUOTE) this.quote();
      else this.pushTextByte(c);
    }
    // remembered only for the error message of a token that the next chunk completes
    this.pixelToken = this.pixelDigits > 0 ? String(this.pixelValue).padStart(this.pixelDigits, "0") : "";
  }

  /** Ends the input: finishes a last row without a newline and returns the dataset. */
  end(): Fer2013Dataset {
    if (this.inHeader) {
      if (this.headerText.trim() === "") this.fail(`${this.file} is empty, expected a header ${FER2013_CSV_COLUMNS.join(",")} and one row per face`);
      this.endHeader();
    }
    if (this.rowStarted) this.endRow();
    if (this.rows === 0) this.fail(`${this.file} has no faces, expected rows of ${FER2013_CSV_COLUMNS.join(",")} after the header`);
    const n = this.rows;
    return {
      pixels: n === this.capacity ? this.pixels : this.pixels.slice(0, n * IMAGE_PIXELS),
      labels: this.labels.slice(0, n),
      splits: this.splits.slice(0, n),
      ids: this.ids
    };
  }

  private pushHeader(chunk: Uint8Array, start: number): number {
    let i = start;
    while (i < chunk.length && chunk[i] !== NEWLINE) i++;
    // keep only the start of an over-long first line: it is a data row or not a CSV, and the error quotes it
    if (this.headerText.length < 256) this.headerText += String.fromCharCode(...chunk.subarray(start, Math.min(i, start + 256)));
    if (i < chunk.length) {
      this.endHeader();
      this.line++;
      i++;
    }
    return i;
  }

  private endHeader(): void {
    this.inHeader = false;
    const names = this.headerText.replace(/\r$/, "").split(",").map((name) => name.trim().replace(/^"(.*)"$/, "$1").trim());
    const index = (column: string) => names.findIndex((name) => name.toLowerCase() === column.toLowerCase());
    const positions = FER2013_CSV_COLUMNS.map(index);
    if (names.length !== 3 || positions.includes(-1) || new Set(positions).size !== 3) {
      this.fail(`${this.at()}header is "${this.headerText.trim().slice(0, 60)}", expected ${FER2013_CSV_COLUMNS.join(",")}`);
    }
    [this.emotionColumn, this.pixelsColumn] = positions;
    this.columnCount = names.length;
  }

  // The hot loop: digits and spaces of the pixels field, straight into the output.
  private pushPixels(chunk: Uint8Array, start: number): number {
    const n = chunk.length;
    const base = this.rows * IMAGE_PIXELS;
    if (!this.rowStarted) this.startRow();
    const pixels = this.pixels;
    let value = this.pixelValue, digits = this.pixelDigits, count = this.pixelCount;
    let i = start;
    for (; i < n; i++) {
      const c = chunk[i];
      if (c >= ZERO && c <= NINE) {
        value = value * 10 + (c - ZERO);
        digits++;
        if (value > 255) break;
      } else if (c === SPACE) {
        if (digits > 0) {
          if (count < IMAGE_PIXELS) pixels[base + count] = value;
          count++;
          value = 0;
          digits = 0;
        }
      } else break;
    }
    this.pixelValue = value;
    this.pixelDigits = digits;
    this.pixelCount = count;
    if (i < n) {
      const c = chunk[i];
      if (value > 255 || (c !== COMMA && c !== NEWLINE && c !== RETURN && c !== QUOTE)) this.badPixel(chunk, i);
    }
    return i;
  }

  private flushPixel(): void {
    if (this.pixelDigits === 0) return;
    if (this.pixelCount < IMAGE_PIXELS) this.pixels[this.rows * IMAGE_PIXELS + this.pixelCount] = this.pixelValue;
    this.pixelCount++;
    this.pixelValue = 0;
    this.pixelDigits = 0;
    this.pixelToken = "";
  }

  private badPixel(chunk: Uint8Array, at: number): never {
    let end = at;
    while (end < chunk.length && ![SPACE, COMMA, NEWLINE, RETURN, QUOTE].includes(chunk[end]) && end - at < 16) end++;
    let start = at;
    while (start > 0 && chunk[start - 1] >= ZERO && chunk[start - 1] <= NINE && at - start < 16) start--;
    const token = (start === 0 ? this.pixelToken : "") + String.fromCharCode(...chunk.subarray(start, Math.max(end, at + 1)));
    this.fail(`${this.at()}pixel ${this.pixelCount + 1} is "${token}", expected an integer 0..255`);
  }

  private pushTextByte(c: number): void {
    if (!this.rowStarted) this.startRow();
    if (this.fieldClosed) {
      if (c === SPACE || c === TAB) return;
      this.fail(`${this.at()}unexpected text after a closing quote in field ${this.field + 1}`);
    }
    if (this.field === this.pixelsColumn) this.fail(`${this.at()}unexpected "${String.fromCharCode(c)}" in the pixels, expected integers 0..255 separated by spaces`);
    if (this.text.length < MAX_TEXT_FIELD) this.text += String.fromCharCode(c);
  }

  private quote(): void {
    if (!this.rowStarted) this.startRow();
    const empty = this.field === this.pixelsColumn ? this.pixelCount === 0 && this.pixelDigits === 0 : this.text.trim() === "";
    if (!this.quoted && empty && !this.fieldClosed) this.quoted = true;
    else if (this.quoted) this.quoted = false, this.fieldClosed = true;
    else this.fail(`${this.at()}unexpected quote in field ${this.field + 1}`);
  }

  private startRow(): void {
    this.rowStarted = true;
    if (this.rows === this.capacity) this.grow();
  }

  private grow(): void {
    this.capacity *= 2;
    const pixels = new Uint8Array(this.capacity * IMAGE_PIXELS);
    pixels.set(this.pixels);
    this.pixels = pixels;
    const labels = new Uint8Array(this.capacity);
    labels.set(this.labels);
    this.labels = labels;
    const splits = new Uint8Array(this.capacity);
    splits.set(this.splits);
    this.splits = splits;
  }

  private endField(): void {
    if (!this.rowStarted) this.startRow();
    this.closeField();
    this.field++;
    if (this.field >= this.columnCount) {
      this.fail(`${this.at()}found more than ${this.columnCount} fields, expected ${FER2013_CSV_COLUMNS.join(",")}`);
    }
  }

  private endRow(): void {
    if (!this.rowStarted) {
      this.line++; // a blank line carries no face: skip it, but keep line numbers true
      return;
    }
    if (this.field !== this.columnCount - 1) {
      this.fail(`${this.at()}found ${this.field + 1} field${this.field === 0 ? "" : "s"}, expected ${this.columnCount} (${FER2013_CSV_COLUMNS.join(",")})`);
    }
    this.closeField();
    this.labels[this.rows] = this.rowLabel;
    this.splits[this.rows] = this.rowSplit;
    this.ids.push(this.idPrefix + this.line);
    this.rows++;
    this.line++;
    this.field = 0;
    this.rowStarted = false;
    this.pixelCount = 0;
  }

  // Checks the field that a comma or a newline just ended.
  private closeField(): void {
    if (this.quoted) this.fail(`${this.at()}missing closing quote in field ${this.field + 1}`);
    if (this.field === this.pixelsColumn) {
      this.flushPixel();
      if (this.pixelCount !== IMAGE_PIXELS) {
        this.fail(`${this.at()}found ${this.pixelCount} pixels, expected ${IMAGE_PIXELS} (48x48) separated by spaces`);
      }
    } else if (this.field === this.emotionColumn) {
      this.rowLabel = this.parseLabel(this.text.trim());
    } else {
      this.rowSplit = this.parseUsage(this.text.trim());
    }
    this.text = "";
    this.fieldClosed = false;
  }

  private parseLabel(text: string): number {
    const label = /^\d{1,3}$/.test(text) ? Number(text) : -1;
    if (label < 0 || label >= NUM_CLASSES) {
      this.fail(`${this.at()}emotion is "${text}", expected an integer 0..${NUM_CLASSES - 1} (${EMOTIONS.join(", ")})`);
    }
    return label;
  }

  private parseUsage(text: string): number {
    const split = splitIndex(text);
    if (split < 0) this.fail(`${this.at()}Usage is "${text}", expected ${SPLITS.join(", ")}`);
    return split;
  }

  private at(): string {
    return `${this.file} line ${this.line}: `;
  }

  private fail(message: string): never {
    throw new Error(message);
  }
}

/** Parses a whole fer2013.csv held in memory (tests, small files, a browser upload). */
export function parseFer2013Csv(content: Uint8Array | string, {file}: {file: string}): Fer2013Dataset {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const parser = new Fer2013CsvParser({file, expectedBytes: bytes.length});
  parser.push(bytes);
  return parser.end();
}
