// The headline numbers of one model on one split as a row of cards: accuracy, top-2 accuracy,
// macro-F1, expected calibration error and cross-entropy, each with a one-line meaning.
import {html} from "htl";
import type {SplitEvaluation} from "../lib/evaluation.js";

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

export function MetricCards(evaluation: SplitEvaluation, {split, flip}: {split: string; flip?: SplitEvaluation | null}) {
  const cards: [string, string, string, string][] = [
    ["accuracy", "Accuracy", percent(evaluation.accuracy), `${Math.round(evaluation.accuracy * evaluation.count).toLocaleString("en-US")} of ${evaluation.count.toLocaleString("en-US")} ${split} faces right${flip ? `; ${percent(flip.accuracy)} averaging each face with its mirror image` : ""}`],
    ["top2", "Top-2 accuracy", percent(evaluation.top2Accuracy), "the true class is one of the model's two most probable"],
    ["macro-f1", "Macro-F1", evaluation.macroF1.toFixed(3), "the mean of the seven per-class F1 scores: rare classes count as much as common ones"],
    ["ece", "Calibration error", percent(evaluation.ece), "ECE: how far the stated confidence is from the accuracy, averaged over 10 bins"],
    ["loss", "Cross-entropy", evaluation.loss.toFixed(3), "mean −log p(true class); ln 7 = 1.946 for a uniform guess"]
  ];
  return html`<div class="grid metric-cards" data-testid="metric-cards">${cards.map(([key, title, value, note]) => html`<div class="card" data-metric=${key}>
    <h2>${title}</h2><div class="big-number">${value}</div><p class="muted"><small>${note}</small></p>
  </div>`)}</div>`;
}
