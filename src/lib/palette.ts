// One colour per emotion for every chart and legend of the report, so a class looks the same on
// every page. Hues follow the common associations (angry red, sad blue, happy gold, neutral grey)
// and stay distinguishable on both the light and the dark theme.
// The page-facing modules import with ".js": Framework 1.13 serves a TypeScript module under a .js
// name and leaves a ".ts" specifier inside an imported module unresolved (a 404 in the browser).

import {EMOTIONS, type Emotion} from "./labels.js";

export const EMOTION_COLORS: Record<Emotion, string> = {
  angry: "#d1495b",
  disgust: "#5f9e2f",
  fear: "#8a63b8",
  happy: "#e9a03b",
  sad: "#3d7fc1",
  surprise: "#d45d9c",
  neutral: "#8d8d8d"
};

/** The colours in EMOTIONS order, e.g. for a d3 ordinal scale's range. */
export const EMOTION_COLOR_LIST: readonly string[] = EMOTIONS.map((emotion) => EMOTION_COLORS[emotion]);

/** Plot's `color` option for any mark whose fill or stroke is an emotion name. */
export function emotionColorScale(): {domain: string[]; range: string[]} {
  return {domain: [...EMOTIONS], range: [...EMOTION_COLOR_LIST]};
}
