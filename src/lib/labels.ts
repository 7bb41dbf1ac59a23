// The one source of truth for FER2013's label order and split names.
// Every reader, model, loader and page maps classes through this module.

/** FER2013's canonical label order (the `emotion` column of fer2013.csv). */
export const EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"] as const;
export type Emotion = (typeof EMOTIONS)[number];
export const NUM_CLASSES = EMOTIONS.length;

/** Official splits, in the order of fer2013.csv's `Usage` column values. */
export const SPLITS = ["Training", "PublicTest", "PrivateTest"] as const;
export type Split = (typeof SPLITS)[number];

/** Official per-split, per-class counts (the dataset's own README), used by tests and the report. */
export const OFFICIAL_COUNTS: Record<Split, Record<Emotion, number>> = {
  Training: {angry: 3995, disgust: 436, fear: 4097, happy: 7215, sad: 4830, surprise: 3171, neutral: 4965},
  PublicTest: {angry: 467, disgust: 56, fear: 496, happy: 895, sad: 653, surprise: 415, neutral: 607},
  PrivateTest: {angry: 491, disgust: 55, fear: 528, happy: 879, sad: 594, surprise: 416, neutral: 626}
};

/** Emoji used by the classifier's mirror and the report's legends. */
export const EMOJI: Record<Emotion, string> = {
  angry: "😠", disgust: "🤢", fear: "😨", happy: "😄", sad: "😢", surprise: "😮", neutral: "😐"
};

/** The label index of a class name, or -1 when the name is not a FER2013 class. */
export function emotionIndex(name: string): number {
  return (EMOTIONS as readonly string[]).indexOf(name.trim().toLowerCase());
}

/** The split index of a Usage value, or -1 when it is not one of the official splits. */
export function splitIndex(usage: string): number {
  return (SPLITS as readonly string[]).indexOf(usage.trim());
}
