// The original project (emojimation.ipynb, webapp.py, main.py) made checkable. Its network learned FER2013's
// label order (0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral), but both of its apps name
// the outputs with an alphabetical dictionary, {0: Angry, 1: Disgusted, 2: Fearful, 3: Happy, 4: Neutral,
// 5: Sad, 6: Surprised}: what a user of those apps saw for each output of the network.

import {EMOTIONS, NUM_CLASSES, type Emotion} from "./labels.js";

/** webapp.py's and main.py's emotion_dict, output index -> the word the app shows. */
/** The notebook's network's parameter count (its model.summary(); src/lib/models/seed-vgg.ts builds the same, tests/lib/models.test.ts checks). */
export const NOTEBOOK_PARAMETERS = 5_102_791;

export const ORIGINAL_APP_LABELS = ["Angry", "Disgusted", "Fearful", "Happy", "Neutral", "Sad", "Surprised"] as const;
export type AppLabel = (typeof ORIGINAL_APP_LABELS)[number];

/** The FER2013 class each of the app's words stands for. */
export const APP_LABEL_MEANING: Record<AppLabel, Emotion> = {
  Angry: "angry", Disgusted: "disgust", Fearful: "fear", Happy: "happy", Neutral: "neutral", Sad: "sad", Surprised: "surprise"
};

/** The class a user reads when the network's top output is `output` (an index in FER2013's order). */
export function displayedEmotion(output: number): Emotion {
  if (!Number.isInteger(output) || output < 0 || output >= NUM_CLASSES) throw new Error(`displayedEmotion: output ${output} is not a class index in 0..${NUM_CLASSES - 1}`);
  return APP_LABEL_MEANING[ORIGINAL_APP_LABELS[output]];
}

/** The outputs the apps name wrongly: what the network meant and what the user was shown. */
export function swappedLabels(): {output: number; meant: Emotion; shown: AppLabel}[] {
  return EMOTIONS.flatMap((meant, output) =>
    displayedEmotion(output) === meant ? [] : [{output, meant, shown: ORIGINAL_APP_LABELS[output]}]
  );
}

/**
 * What a user of the original apps would have seen on faces with known labels: the confusion matrix of true
 * class (rows) against the class the app's word names (columns), and the accuracy as displayed.
 */
export function asDisplayed(probabilities: ArrayLike<number>, labels: ArrayLike<number>): {accuracy: number; confusion: number[][]} {
  if (probabilities.length !== labels.length * NUM_CLASSES) {
    throw new Error(`asDisplayed: expected ${labels.length * NUM_CLASSES} probabilities for ${labels.length} faces, got ${probabilities.length}`);
  }
  const confusion = EMOTIONS.map(() => EMOTIONS.map(() => 0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let top = 0;
    for (let k = 1; k < NUM_CLASSES; k++) if (probabilities[i * NUM_CLASSES + k] > probabilities[i * NUM_CLASSES + top]) top = k;
    const shown = EMOTIONS.indexOf(displayedEmotion(top));
    confusion[labels[i]][shown]++;
    if (shown === labels[i]) correct++;
  }
  return {accuracy: labels.length ? correct / labels.length : 0, confusion};
}

/** A model trained under the original protocol (a random 20% of Training held out and watched for early stopping). */
export interface ProtocolRun {
  name: string;
  architecture: string;
  holdout: {fraction: number; seed: number; faces: number};
  trainedFaces: number;
  selectedEpoch: number;
  epochsRun: number;
  secondsTrained: number;
  /** Accuracy on the held-out faces: the number the original reported as its validation accuracy. */
  holdoutAccuracy: number;
  /** Held-out faces with a byte-identical, or else a near-identical, copy among the faces trained on. */
  copies: {identical: number; near: number};
  withoutCopies: {faces: number; accuracy: number};
  withCopies: {faces: number; accuracy: number};
  /** The same model on the official splits. */
  publicTestAccuracy: number;
  privateTestAccuracy: number;
  /**
   * The notebook's hard-examples cell replayed: of `rows` training faces paired with test rows by index, the
   * `picked` ones whose label differs from the prediction for the unrelated test face, how many of those
   * the model itself gets wrong, and how many of all `rows` it gets wrong.
   */
  hardExamplesCell: {rows: number; picked: number; pickedWrongOnItself: number; wrongOnItself: number};
}

/** src/data/original-project.json, written by `npm run original`. */
export interface OriginalProjectReport {
  createdAt: string;
  nearIdenticalMeanDifference: number;
  labelBug: {
    model: string;
    split: "PrivateTest";
    faces: number;
    accuracy: number;
    displayedAccuracy: number;
    /** True class (rows) x predicted class, in FER2013's order. */
    confusion: number[][];
    /** True class (rows) x the class the app's word names. */
    displayedConfusion: number[][];
    swapped: {output: number; meant: Emotion; shown: AppLabel}[];
  };
  protocol: ProtocolRun[];
}
