import {describe, expect, it} from "vitest";
import {Fer2013CsvParser, parseFer2013Csv} from "../../src/lib/fer2013-csv.js";
import {IMAGE_PIXELS} from "../../src/lib/dataset.js";
import {EMOTIONS, SPLITS} from "../../src/lib/labels.js";

const HEADER = "emotion,pixels,Usage";

/** A face whose pixel k is (seed + k) % 256, so every face is distinct and checkable. */
function facePixels(seed: number, count = IMAGE_PIXELS): number[] {
  return Array.from({length: count}, (_, k) => (seed + k) % 256);
}

function row(label: number | string, usage = "Training", pixels: Array<number | string> = facePixels(Number(label) || 0)): string {
  return `${label},${pixels.join(" ")},${usage}`;
}

function csv(...rows: string[]): string {
  return [HEADER, ...rows].join("\n") + "\n";
}

const parse = (text: string) => parseFer2013Csv(text, {file: "data/fer2013.csv"});

describe("parseFer2013Csv", () => {
  it("parseFer2013Csv(text) reads labels, splits, pixels and line-numbered ids", () => {
    const dataset = parse(csv(row(0, "Training"), row(4, "PublicTest"), row(6, "PrivateTest")));
    expect(Array.from(dataset.labels)).toEqual([0, 4, 6]);
    expect(Array.from(dataset.splits)).toEqual([SPLITS.indexOf("Training"), SPLITS.indexOf("PublicTest"), SPLITS.indexOf("PrivateTest")]);
    expect(dataset.pixels.length).toBe(3 * IMAGE_PIXELS);
    expect(Array.from(dataset.pixels.subarray(IMAGE_PIXELS, 2 * IMAGE_PIXELS))).toEqual(facePixels(4));
    expect(dataset.ids).toEqual(["fer2013.csv:2", "fer2013.csv:3", "fer2013.csv:4"]);
  });

  it("parseFer2013Csv(text) maps the emotion column through the canonical order (4 is sad)", () => {
    const dataset = parse(csv(row(4)));
    expect(EMOTIONS[dataset.labels[0]]).toBe("sad");
  });

  it("parseFer2013Csv(text) accepts CRLF line ends, a byte-order mark, quotes, blank lines and no final newline", () => {
    const text = `\ufeff"emotion","pixels","Usage"\r\n\r\n3,"${facePixels(3).join(" ")}",Training\r\n5,${facePixels(5).join(" ")},"PublicTest"`;
    const dataset = parse(text);
    expect(Array.from(dataset.labels)).toEqual([3, 5]);
    expect(Array.from(dataset.pixels.subarray(0, IMAGE_PIXELS))).toEqual(facePixels(3));
    expect(dataset.ids).toEqual(["fer2013.csv:3", "fer2013.csv:4"]);
  });

  it("parseFer2013Csv(text) accepts the columns in another order (icml_face_data.csv: emotion, Usage, pixels)", () => {
    const dataset = parse(`emotion, Usage, pixels\n2,PrivateTest,${facePixels(2).join(" ")}\n`);
    expect(Array.from(dataset.labels)).toEqual([2]);
    expect(SPLITS[dataset.splits[0]]).toBe("PrivateTest");
    expect(Array.from(dataset.pixels)).toEqual(facePixels(2));
  });

  it("Fer2013CsvParser gives the same dataset whatever the chunk boundaries", () => {
    const bytes = new TextEncoder().encode(csv(row(0), row(1, "PublicTest"), row(2, "PrivateTest")));
    const whole = parseFer2013Csv(bytes, {file: "fer2013.csv"});
    for (const size of [1, 7, 1000, 4096]) {
      const parser = new Fer2013CsvParser({file: "fer2013.csv"});
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
      expect(parser.end()).toEqual(whole);
    }
  });

  it("Fer2013CsvParser grows its output past the first capacity", () => {
    const rowPerLabel = EMOTIONS.map((_, label) => row(label));
    const rows = Array.from({length: 1100}, (_, i) => rowPerLabel[i % 7]);
    const parser = new Fer2013CsvParser({file: "fer2013.csv"});
    parser.push(new TextEncoder().encode(csv(...rows)));
    const dataset = parser.end();
    expect(dataset.labels.length).toBe(1100);
    expect(dataset.pixels[1099 * IMAGE_PIXELS + 10]).toBe((1099 % 7 + 10) % 256);
  });
});

describe("parseFer2013Csv rejects bad input with the file, line and expectation", () => {
  const bad: Array<[string, string, RegExp]> = [
    ["a row with 2303 pixels", csv(row(0), row(1, "Training", facePixels(1, 2303))), /fer2013\.csv line 3: found 2303 pixels, expected 2304/],
    ["a row with 2305 pixels", csv(row(1, "Training", facePixels(1, 2305))), /line 2: found 2305 pixels, expected 2304/],
    ["a non-numeric pixel", csv(row(0, "Training", facePixels(0).map((v, k) => (k === 9 ? "12a" : v)))), /line 2: pixel 10 is "12a", expected an integer 0\.\.255/],
    ["a negative pixel", csv(row(0, "Training", facePixels(0).map((v, k) => (k === 0 ? -1 : v)))), /line 2: pixel 1 is "-1", expected an integer 0\.\.255/],
    ["a fractional pixel", csv(row(0, "Training", facePixels(0).map((v, k) => (k === 5 ? "1.5" : v)))), /line 2: pixel 6 is "1\.5", expected an integer/],
    ["an out-of-range pixel", csv(row(0, "Training", facePixels(0).map((v, k) => (k === 2303 ? 256 : v)))), /line 2: pixel 2304 is "256", expected an integer 0\.\.255/],
    ["an unknown label", csv(row(7)), /line 2: emotion is "7", expected an integer 0\.\.6/],
    ["a non-numeric label", csv(row("happy")), /line 2: emotion is "happy", expected an integer 0\.\.6/],
    ["an unknown Usage", csv(row(0), row(0), row(0, "Validation")), /line 4: Usage is "Validation", expected Training, PublicTest, PrivateTest/],
    ["a wrong header", `label,pixels,Usage\n${row(0)}\n`, /line 1: header is "label,pixels,Usage", expected emotion,pixels,Usage/],
    ["a missing header", `${row(0)}\n`, /line 1: header is "0,0 1 2 .*", expected emotion,pixels,Usage/],
    ["an extra column", csv(`${row(0)},x`), /line 2: found more than 3 fields/],
    ["a missing column", csv(`0,${facePixels(0).join(" ")}`), /line 2: found 2 fields, expected 3/],
    ["an empty file", "", /data\/fer2013\.csv is empty, expected a header emotion,pixels,Usage/],
    ["a header without rows", `${HEADER}\n\n`, /data\/fer2013\.csv has no faces/]
  ];
  for (const [what, text, message] of bad) {
    it(`parseFer2013Csv(text) rejects ${what}`, () => {
      expect(() => parse(text)).toThrow(message);
    });
  }

  it("Fer2013CsvParser names a bad pixel cut by a chunk boundary in full", () => {
    const bytes = new TextEncoder().encode(csv(row(0, "Training", facePixels(0).map((v, k) => (k === 3 ? 300 : v)))));
    const at = new TextDecoder().decode(bytes).indexOf(" 300 ") + 2; // between "3" and "00"
    const parser = new Fer2013CsvParser({file: "fer2013.csv"});
    parser.push(bytes.subarray(0, at));
    expect(() => parser.push(bytes.subarray(at))).toThrow(/pixel 4 is "300"/);
  });

  it("every error message starts in lowercase with the file name", () => {
    const messages = [csv(row(9)), ""].map((text) => {
      try {
        parseFer2013Csv(text, {file: "fer2013.csv"});
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    });
    for (const message of messages) expect(message).toMatch(/^fer2013\.csv (line \d+: )?[a-z]/);
  });
});
