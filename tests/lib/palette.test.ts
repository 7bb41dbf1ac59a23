import {describe, expect, it} from "vitest";
import {EMOTION_COLORS, EMOTION_COLOR_LIST, emotionColorScale} from "../../src/lib/palette.js";
import {EMOTIONS} from "../../src/lib/labels.js";

describe("palette", () => {
  it("EMOTION_COLORS gives every emotion its own colour", () => {
    expect(Object.keys(EMOTION_COLORS).sort()).toEqual([...EMOTIONS].sort());
    expect(new Set(Object.values(EMOTION_COLORS)).size).toBe(EMOTIONS.length);
    for (const color of Object.values(EMOTION_COLORS)) expect(color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("emotionColorScale() maps EMOTIONS, in canonical order, to EMOTION_COLOR_LIST", () => {
    const {domain, range} = emotionColorScale();
    expect(domain).toEqual([...EMOTIONS]);
    expect(range).toEqual([...EMOTION_COLOR_LIST]);
    expect(range).toEqual(EMOTIONS.map((emotion) => EMOTION_COLORS[emotion]));
  });
});
