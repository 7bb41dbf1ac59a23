// When the camera preset adds the back-camera pass (faces from ~60 px up) to the short-range one (from ~160 px):
// cameraNeedsBack, the finder's rule, as a pure function. The finder on real scenes is tests/tools/face-finder.test.ts.

import {describe, expect, it} from "vitest";
import {FINDER_PRESETS, cameraNeedsBack} from "../../src/lib/face-finder.js";

const box = (x: number, y: number, size = 200) => ({x, y, width: size, height: size});
const EVERY = FINDER_PRESETS.camera.discoverEvery;
/** A frame number that is not a discovery frame. */
const PLAIN_FRAME = 1;

describe("cameraNeedsBack", () => {
  it("a single picture (no tracking) always gets the back-camera pass", () => {
    expect(cameraNeedsBack([box(100, 100)], null, PLAIN_FRAME)).toBe(true);
    expect(cameraNeedsBack([], null, PLAIN_FRAME)).toBe(true);
  });

  it("a loop frame where the short-range pass finds nothing gets it", () => {
    expect(cameraNeedsBack([], [], PLAIN_FRAME)).toBe(true);
    expect(cameraNeedsBack([], [box(100, 100, 80)], PLAIN_FRAME)).toBe(true);
  });

  it("a loop frame whose short-range boxes cover every face of the previous frame skips it", () => {
    expect(cameraNeedsBack([box(100, 100)], [box(104, 98)], PLAIN_FRAME)).toBe(false);
    expect(cameraNeedsBack([box(100, 100), box(400, 120)], [box(400, 118)], PLAIN_FRAME)).toBe(false);
    expect(cameraNeedsBack([box(100, 100)], [], PLAIN_FRAME)).toBe(false);
  });

  it("a loop frame that misses a face of the previous frame (one only the back-camera pass found) gets it", () => {
    expect(cameraNeedsBack([box(100, 100)], [box(104, 98), box(450, 300, 70)], PLAIN_FRAME)).toBe(true);
    // Overlapping, but under the tracking IoU (a third of the box off): not the same face.
    expect(cameraNeedsBack([box(100, 100)], [box(170, 100)], PLAIN_FRAME)).toBe(true);
  });

  it(`every ${EVERY}th loop frame (the first included) gets it, to find faces that came into view far from the camera`, () => {
    const frames = Array.from({length: 3 * EVERY}, (_, frame) => frame).filter((frame) => cameraNeedsBack([box(100, 100)], [box(100, 100)], frame));
    expect(frames).toEqual([0, EVERY, 2 * EVERY]);
  });
});
