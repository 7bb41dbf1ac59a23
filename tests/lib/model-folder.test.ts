import {describe, expect, it} from "vitest";
import {MODEL_FILES, WEIGHT_SHARD_BYTES, shardWeights} from "../../src/lib/model-folder.js";

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
