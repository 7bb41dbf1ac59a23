import {describe, expect, it} from "vitest";
import {
  MODEL_FILES,
  WEIGHT_SHARD_BYTES,
  shardWeights,
  temperatureOf,
  validateCalibration,
  validateMetadata,
  withTemperature,
  type ModelCalibration
} from "../../src/lib/model-folder.js";
import {EMOTIONS} from "../../src/lib/labels.js";
import {TEMPERATURE_RANGE} from "../../src/lib/metrics.js";
import {MODEL_INPUT} from "../../src/lib/preprocess.js";

const bytes = (n: number) => Uint8Array.from({length: n}, (_, i) => (i * 7) % 251);

describe("shardWeights(data, shardBytes)", () => {
  it("keeps weights that fit one shard in weights.bin", () => {
    const data = bytes(10);
    expect(shardWeights(data, 10)).toEqual([{path: MODEL_FILES.weights, data}]);
  });

  it("cuts larger weights into numbered shards of at most shardBytes that join back to the same bytes", () => {
    const data = bytes(25);
    const shards = shardWeights(data, 10);
    expect(shards.map((s) => s.path)).toEqual(["weights-1of3.bin", "weights-2of3.bin", "weights-3of3.bin"]);
    expect(shards.map((s) => s.data.byteLength)).toEqual([10, 10, 5]);
    expect(Uint8Array.from(shards.flatMap((s) => [...s.data]))).toEqual(data);
  });

  it("shards at 4 MiB by default, as tfjs's converter does", () => {
    expect(WEIGHT_SHARD_BYTES).toBe(4 * 1024 * 1024);
    expect(shardWeights(new Uint8Array(WEIGHT_SHARD_BYTES + 1)).map((s) => s.data.byteLength)).toEqual([WEIGHT_SHARD_BYTES, 1]);
  });

  it("rejects a shard size that is not positive", () => {
    expect(() => shardWeights(bytes(3), 0)).toThrow("shardWeights: shard size must be positive, got 0");
  });
});

/** A calibration as `npm run calibration -- --write` stores it. */
const CALIBRATION: ModelCalibration = {
  temperature: 0.5,
  split: "PublicTest",
  faces: 3589,
  tta: "flip",
  before: {meanConfidence: 0.45, crossEntropy: 1.08, ece: 0.25},
  after: {meanConfidence: 0.73, crossEntropy: 0.87, ece: 0.03},
  fittedAt: "2026-12-05T00:00:00.000Z"
};

describe("withTemperature(probabilities, temperature)", () => {
  const rows = Float32Array.from([0.5, 0.3, 0.2, 0.1, 0.1, 0.8]);

  it("raises each row to 1/T and renormalises it: T 0.5 squares, every arg-max stays", () => {
    const sharpened = withTemperature(rows, 0.5, 3);
    const first = [0.25, 0.09, 0.04].map((v) => v / 0.38);
    const second = [0.01, 0.01, 0.64].map((v) => v / 0.66);
    [...first, ...second].forEach((v, i) => expect(sharpened[i]).toBeCloseTo(v, 6));
    expect(sharpened[0]).toBeGreaterThan(rows[0]);
  });

  it("softens with T above 1 and gives the probabilities themselves at T 1", () => {
    const softened = withTemperature(rows, 4, 3);
    expect(softened[0]).toBeLessThan(rows[0]);
    expect(softened[0]).toBeGreaterThan(softened[1]);
    expect(withTemperature(rows, 1, 3)).toBe(rows);
  });

  it("refuses a temperature that is not a positive number and rows of another width", () => {
    expect(() => withTemperature(rows, 0, 3)).toThrow("withTemperature: temperature must be a positive number, got 0");
    expect(() => withTemperature(rows, Number.NaN, 3)).toThrow("temperature must be a positive number, got NaN");
    expect(() => withTemperature(rows, 0.5, 4)).toThrow("withTemperature: 6 probabilities are not rows of 4");
  });
});

describe("temperatureOf(metadata) and validateCalibration(value, source)", () => {
  it("temperatureOf gives the calibration's temperature, 1 for a model without one", () => {
    expect(temperatureOf({calibration: CALIBRATION})).toBe(0.5);
    expect(temperatureOf({})).toBe(1);
    expect(temperatureOf(null)).toBe(1);
  });

  it("validateCalibration accepts what the calibration tool writes and names the first bad field otherwise", () => {
    expect(validateCalibration(CALIBRATION, "m/metadata.json")).toBe(CALIBRATION);
    const bad = (change: Record<string, unknown>) => () => validateCalibration({...CALIBRATION, ...change}, "m/metadata.json");
    expect(bad({temperature: 0})).toThrow(`m/metadata.json: calibration.temperature must be a number from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max}, got 0`);
    expect(bad({temperature: "0.5"})).toThrow('calibration.temperature must be a number from 0.05 to 20, got "0.5"');
    expect(bad({split: "PrivateTest"})).toThrow('calibration.split is "PrivateTest", expected "PublicTest" (temperatures are fitted on PublicTest only)');
    expect(bad({faces: 0})).toThrow("calibration.faces must be a positive whole number, got 0");
    expect(bad({tta: "mirror"})).toThrow('calibration.tta is "mirror", expected one of none, flip, crops');
    expect(bad({after: {meanConfidence: 0.7, crossEntropy: -1, ece: 0}})).toThrow("calibration.after.crossEntropy must be a non-negative number, got -1");
    expect(() => validateCalibration(0.5, "m/metadata.json")).toThrow("m/metadata.json: calibration must be an object {temperature, split, faces, tta, before, after, fittedAt}");
  });

  it("validateMetadata checks a calibration when metadata.json has one", () => {
    const metadata = {
      format: "fer-model/1", architecture: "tiny", labels: [...EMOTIONS], input: MODEL_INPUT, params: 1, flops: 1, secondsTrained: 1, bestEpoch: 1, epochsRun: 1, training: {}
    };
    expect(validateMetadata({...metadata, calibration: CALIBRATION}).calibration).toEqual(CALIBRATION);
    expect(validateMetadata(metadata).calibration).toBeUndefined();
    expect(() => validateMetadata({...metadata, calibration: {...CALIBRATION, temperature: 50}}, "x/metadata.json")).toThrow("x/metadata.json: calibration.temperature must be a number from 0.05 to 20, got 50");
  });
});
