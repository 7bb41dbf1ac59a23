import {describe, expect, it} from "vitest";
import {EMPTY_TRACKER, iou, updateTracks, type Detection} from "../../src/lib/smoothing.js";

const box = (x: number, y: number, size = 100) => ({x, y, width: size, height: size});
const onehot = (k: number) => Array.from({length: 7}, (_, i) => (i === k ? 1 : 0));

describe("iou", () => {
  it("iou(a, a) is 1 and iou of disjoint boxes is 0", () => {
    expect(iou(box(0, 0), box(0, 0))).toBe(1);
    expect(iou(box(0, 0), box(200, 0))).toBe(0);
    expect(iou(box(0, 0), box(100, 0))).toBe(0);
  });
  it("iou of two 100x100 boxes shifted by 50 pixels is 1/3", () => {
    expect(iou(box(0, 0), box(50, 0))).toBeCloseTo(5000 / 15000, 12);
  });
});

describe("updateTracks", () => {
  it("updateTracks(empty, detections) starts one face per detection with its own probabilities", () => {
    const {state, matched} = updateTracks(EMPTY_TRACKER, [
      {box: box(0, 0), probabilities: onehot(3)},
      {box: box(300, 0), probabilities: onehot(6)}
    ]);
    expect(matched.map((t) => t.id)).toEqual([1, 2]);
    expect(matched[1].probabilities).toEqual(onehot(6));
    expect(state.nextId).toBe(3);
  });

  it("updateTracks averages each face only with its own past, following it by overlap", () => {
    let state = updateTracks(EMPTY_TRACKER, [
      {box: box(0, 0), probabilities: onehot(3)},
      {box: box(300, 0), probabilities: onehot(0)}
    ]).state;
    // The faces come back in the other order and moved a little: they must keep their ids.
    const next = updateTracks(state, [
      {box: box(305, 5), probabilities: onehot(0)},
      {box: box(5, 5), probabilities: onehot(4)}
    ], {smoothing: 0.75});
    state = next.state;
    expect(next.matched.map((t) => t.id)).toEqual([2, 1]);
    expect(next.matched[0].probabilities).toEqual(onehot(0));
    expect(next.matched[1].probabilities[3]).toBeCloseTo(0.75, 12);
    expect(next.matched[1].probabilities[4]).toBeCloseTo(0.25, 12);
    expect(next.matched[1].box.x).toBeCloseTo(1.25, 12);
  });

  it("updateTracks with smoothing 0 shows each frame as it is", () => {
    const first = updateTracks(EMPTY_TRACKER, [{box: box(0, 0), probabilities: onehot(3)}]).state;
    const {matched} = updateTracks(first, [{box: box(10, 0), probabilities: onehot(5)}], {smoothing: 0});
    expect(matched[0]).toMatchObject({id: 1, probabilities: onehot(5), box: box(10, 0), age: 2});
  });

  it("updateTracks forgets a face missed for more than maxMissed frames and starts a new one after", () => {
    let state = updateTracks(EMPTY_TRACKER, [{box: box(0, 0), probabilities: onehot(3)}]).state;
    for (let frame = 0; frame < 2; frame++) state = updateTracks(state, [], {maxMissed: 2}).state;
    expect(state.tracks).toHaveLength(1);
    expect(state.tracks[0].missed).toBe(2);
    state = updateTracks(state, [], {maxMissed: 2}).state;
    expect(state.tracks).toHaveLength(0);
    const {matched} = updateTracks(state, [{box: box(0, 0), probabilities: onehot(3)}]);
    expect(matched[0].id).toBe(2);
  });

  it("updateTracks gives one face to at most one detection (the better overlap)", () => {
    const state = updateTracks(EMPTY_TRACKER, [{box: box(0, 0), probabilities: onehot(3)}]).state;
    const detections: Detection[] = [
      {box: box(40, 0), probabilities: onehot(1)},
      {box: box(2, 0), probabilities: onehot(2)}
    ];
    const {matched} = updateTracks(state, detections);
    expect(matched.map((t) => t.id)).toEqual([2, 1]);
  });

  it("updateTracks rejects a smoothing of 1 or more", () => {
    expect(() => updateTracks(EMPTY_TRACKER, [], {smoothing: 1})).toThrow(/invalid smoothing 1/);
  });
});
