// Messages between the trainer (main thread) and its workers, and the layout of the shared control block.
import type {NamedTensor} from "./replica.js";
import type {OptimizerState} from "./optimizers.js";

/** Int32 slots of the control SharedArrayBuffer. */
export const CONTROL = {ARRIVED: 0, GENERATION: 1, FAILED: 2, LENGTH: 3} as const;

export type WorkerRequest = {id: number} & (
  | {type: "init"}
  | {type: "attach"; control: SharedArrayBuffer; gradients: SharedArrayBuffer}
  | {type: "buffers"; inputs: SharedArrayBuffer; targets: SharedArrayBuffer; sampleWeights: SharedArrayBuffer; outputs: SharedArrayBuffer}
  | {type: "step"; start: number; count: number; total: number; learningRate?: number; weighted: boolean}
  | {type: "predict"; start: number; count: number; batchSize: number}
  | {type: "getWeights"}
  | {type: "setWeights"; values: Float32Array[]; onlyNonTrainable: boolean}
  | {type: "getOptimizerState"}
  | {type: "setOptimizerState"; state: OptimizerState}
);

export type WorkerReply = {id: number; ok: true; result: unknown} | {id: number; ok: false; error: string};

export interface InitResult {
  inputShape: number[];
  numClasses: number;
  /** Target values per sample (see Replica.targetWidth). */
  targetWidth: number;
  parameterCount: number;
  weightSpecs: {name: string; shape: number[]; trainable: boolean}[];
}

export type {NamedTensor};
