// The photo panel replayed in Node (tools/photo-replay.ts), which the crop-sizes and photo-models benches read
// their faces from. The replay itself needs FER2013 (FER2013_PATH or data/fer2013) and is skipped without it.

import {describe, expect, it} from "vitest";
import {parseSplit, replayPhotos} from "../../tools/photo-replay.js";
import {fer2013Available} from "../../tools/fer2013.js";

describe("parseSplit(--split)", () => {
  it("takes FER2013's official split names and falls back when the flag is absent", () => {
    expect(parseSplit("PublicTest", "PrivateTest")).toBe("PublicTest");
    expect(parseSplit(undefined, "PrivateTest")).toBe("PrivateTest");
  });

  it("refuses anything else with the names it accepts", () => {
    expect(() => parseSplit("publictest", "PublicTest")).toThrow(/expected one of Training, PublicTest, PrivateTest/);
  });
});

describe.skipIf(!fer2013Available())("replayPhotos on generated PublicTest scenes", () => {
  it("gives every pasted face its label and original crop, and every found face one 48x48 input per crop size asked for", async () => {
    const replay = await replayPhotos({split: "PublicTest", seed: 3, faceScenes: 3, scales: [1, 0.9], log: () => {}, bench: "test"});
    expect(replay.split).toBe("PublicTest");
    expect(replay.faces.length).toBeGreaterThanOrEqual(3);
    expect(replay.originals).toHaveLength(replay.faces.length * 2304);
    expect(replay.found).toEqual(replay.faces.flatMap((face, i) => (face.found ? [i] : [])));
    expect(replay.found.length).toBeGreaterThan(0);
    for (const crops of replay.crops) expect(crops).toHaveLength(replay.found.length * 2304);
    // The two sizes are different crops of the same faces, and every input is a grey level in [0, 1].
    expect(replay.crops[0]).not.toEqual(replay.crops[1]);
    expect(Math.min(...replay.originals)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...replay.crops[0])).toBeLessThanOrEqual(1);
  }, 120_000);
});
