import {describe, expect, it} from "vitest";
import {ORIGINAL_APP_LABELS, asDisplayed, displayedEmotion, swappedLabels} from "../../src/lib/original-project.js";

describe("the original apps' label mapping", () => {
  it("displayedEmotion(output) is what webapp.py's dictionary names: right for 0-3, shifted for sad, surprise and neutral", () => {
    expect(ORIGINAL_APP_LABELS).toEqual(["Angry", "Disgusted", "Fearful", "Happy", "Neutral", "Sad", "Surprised"]);
    expect([0, 1, 2, 3, 4, 5, 6].map(displayedEmotion)).toEqual(["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]);
    expect(() => displayedEmotion(7)).toThrow("displayedEmotion: output 7 is not a class index in 0..6");
  });

  it("swappedLabels() lists the three outputs the apps misname", () => {
    expect(swappedLabels()).toEqual([
      {output: 4, meant: "sad", shown: "Neutral"},
      {output: 5, meant: "surprise", shown: "Sad"},
      {output: 6, meant: "neutral", shown: "Surprised"}
    ]);
  });

  it("asDisplayed(probabilities, labels) scores what the user read: a perfect network on sad, surprise and neutral is always wrong", () => {
    const oneHot = (k: number) => Array.from({length: 7}, (_, j) => (j === k ? 0.9 : 0.1 / 6));
    // Four faces, each predicted right by the network: happy, sad, surprise, neutral.
    const labels = [3, 4, 5, 6];
    const {accuracy, confusion} = asDisplayed(labels.flatMap(oneHot), labels);
    expect(accuracy).toBe(0.25);
    // A sad face, predicted sad, is shown as "Neutral"; a neutral face as "Surprised"; a surprised one as "Sad".
    expect(confusion[4][6]).toBe(1);
    expect(confusion[6][5]).toBe(1);
    expect(confusion[5][4]).toBe(1);
    expect(confusion[3][3]).toBe(1);
    // The network predicting surprise on a sad face is read as "Sad": right by accident.
    expect(asDisplayed(oneHot(5), [4]).accuracy).toBe(1);
  });
});
