// Choosing an ensemble on PublicTest: every combination of candidate models, each face's probabilities
// averaged over the members (meanProbabilities), scored against the labels. Pure: `npm run ensemble-search`
// (tools/ensemble-search.ts) feeds it each candidate's PublicTest probabilities, computed once.

import {evaluatePredictions, meanProbabilities} from "./evaluation.js";

export interface EnsembleScore {
  /** Indices into the candidates, in candidate order. */
  members: number[];
  accuracy: number;
  macroF1: number;
}

/** Every subset of 0..n-1 with between `min` and `max` elements, in lexicographic order of their indices. */
export function subsets(n: number, {min = 1, max = n}: {min?: number; max?: number} = {}): number[][] {
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length >= min) out.push([...chosen]);
    if (chosen.length === max) return;
    for (let i = start; i < n; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out.filter((s) => s.length >= Math.max(min, 1)).sort((a, b) => a.length - b.length || a.join().localeCompare(b.join(), "en", {numeric: true}));
}

/**
 * Scores every combination of 1 to `maxMembers` candidates (probabilities N x classes each, same faces, same
 * order) against `labels`, best accuracy first (ties: higher macro-F1, then fewer members).
 */
export function rankEnsembles(candidates: readonly Float32Array[], labels: ArrayLike<number>, {maxMembers = 5}: {maxMembers?: number} = {}): EnsembleScore[] {
  if (candidates.length === 0) throw new Error("rankEnsembles: no candidates");
  return subsets(candidates.length, {min: 1, max: Math.min(maxMembers, candidates.length)})
    .map((members) => {
      const {accuracy, macroF1} = evaluatePredictions(meanProbabilities(members.map((k) => candidates[k])), labels);
      return {members, accuracy, macroF1};
    })
    .sort((a, b) => b.accuracy - a.accuracy || b.macroF1 - a.macroF1 || a.members.length - b.members.length);
}
