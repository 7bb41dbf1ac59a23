// The start-up check of the tfjs internals the engine reads, on fake backends: it passes what 4.22.0 has and
// names every difference (a version, a missing field, an offset that does not point at the data) otherwise.
import * as tf from "@tensorflow/tfjs";
import {describe, expect, it} from "vitest";
import {checkTfjsInternals, HOOKED_LAYERS, tfjsInternalsProblems, TFJS_VERSION, type TfjsFound, WASM_KERNELS_USED} from "../../engine/tfjs-internals.js";
import {initTrainingBackend} from "../../engine/backend.js";

/** A stand-in for BackendWasm 4.22: a heap, a table of {memoryOffset}, and a bump allocator. */
function fakeBackend() {
  const HEAPU8 = new Uint8Array(1024);
  const dataIdMap = new Map<object, {memoryOffset: number}>();
  let next = 16;
  return {
    wasm: {HEAPU8},
    dataIdMap,
    disposed: [] as object[],
    makeOutput(shape: number[], dtype: string) {
      const dataId = {};
      dataIdMap.set(dataId, {memoryOffset: next});
      next += 4 * shape.reduce((a, b) => a * b, 1);
      return {dataId, shape, dtype};
    },
    typedArrayFromHeap({dataId, shape}: {dataId: object; shape: number[]}) {
      return new Float32Array(HEAPU8.buffer, dataIdMap.get(dataId)!.memoryOffset, shape.reduce((a, b) => a * b, 1));
    },
    incRef() {},
    disposeData(dataId: object) {
      this.disposed.push(dataId);
      dataIdMap.delete(dataId);
    }
  };
}

function found(changes: Partial<TfjsFound> = {}): TfjsFound {
  return {
    versions: {"@tensorflow/tfjs-core": "4.22.0", "@tensorflow/tfjs-layers": "4.22.0", "@tensorflow/tfjs-backend-wasm": "4.22.0"},
    backend: fakeBackend(),
    hasKernel: () => true,
    layerClasses: Object.fromEntries(
      HOOKED_LAYERS.map((name) => [
        name,
        class {
          call() {}
        }
      ])
    ),
    ...changes
  };
}

describe("tfjsInternalsProblems(found)", () => {
  it("finds none on a backend shaped like 4.22.0's, and frees its probe tensor", () => {
    const backend = fakeBackend();
    expect(tfjsInternalsProblems(found({backend}))).toEqual([]);
    expect(backend.disposed).toHaveLength(1);
    expect(backend.dataIdMap.size).toBe(0);
  });

  it("names a version other than the one the engine was written for", () => {
    const versions = {"@tensorflow/tfjs-core": "4.23.0", "@tensorflow/tfjs-layers": "4.22.0", "@tensorflow/tfjs-backend-wasm": "4.22.0"};
    expect(tfjsInternalsProblems(found({versions}))).toEqual(["@tensorflow/tfjs-core is 4.23.0"]);
  });

  it("names missing fields and functions", () => {
    const backend = {...fakeBackend(), dataIdMap: undefined, typedArrayFromHeap: 3};
    expect(tfjsInternalsProblems(found({backend}))).toEqual([
      "backend.typedArrayFromHeap is 3, expected a function",
      "backend.dataIdMap.get is not a function"
    ]);
    expect(tfjsInternalsProblems(found({backend: {...fakeBackend(), wasm: {}}}))).toEqual(["backend.wasm.HEAPU8 is not a Uint8Array over an ArrayBuffer"]);
  });

  it("notices a table entry whose offset is renamed, or that does not point at the tensor's data", () => {
    const renamed = fakeBackend();
    renamed.dataIdMap.get = () => ({offset: 16}) as unknown as {memoryOffset: number};
    expect(tfjsInternalsProblems(found({backend: renamed}))[0]).toContain("memoryOffset is undefined, expected a byte offset");
    const elsewhere = fakeBackend();
    elsewhere.typedArrayFromHeap = () => new Float32Array(2);
    expect(tfjsInternalsProblems(found({backend: elsewhere}))).toEqual([
      "backend.typedArrayFromHeap does not view backend.wasm.HEAPU8 at the tensor's memoryOffset"
    ]);
  });

  it("names missing built-in kernels, and hooked layer classes that are missing or have no call()", () => {
    const layerClasses = {...found().layerClasses, BatchNormalization: undefined, Conv2D: class {}};
    const problems = tfjsInternalsProblems(found({hasKernel: (name) => name !== "PadV2" && name !== "Sum", layerClasses}));
    expect(problems).toEqual([
      "the wasm backend has no Sum, PadV2 kernels",
      "tfjs-layers' BatchNormalization class has no call method to hook",
      "tfjs-layers' Conv2D class has no call method to hook"
    ]);
  });
});

describe("checkTfjsInternals(found)", () => {
  it("throws one message with the found and expected versions and the fix", () => {
    const versions = {"@tensorflow/tfjs-core": "4.23.0", "@tensorflow/tfjs-layers": "4.23.0", "@tensorflow/tfjs-backend-wasm": "4.23.0"};
    expect(() => checkTfjsInternals(found({versions}))).toThrow(
      "the training engine reads tfjs internals and was written for tfjs 4.22.0, but @tensorflow/tfjs-core is 4.23.0; " +
        "@tensorflow/tfjs-layers is 4.23.0; @tensorflow/tfjs-backend-wasm is 4.23.0. Install the pinned versions (npm ci, or " +
        "npm install --save-exact @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0)"
    );
    expect(() => checkTfjsInternals(found())).not.toThrow();
  });

  it("passes on the installed tfjs (the engine's start-up runs it on the real wasm backend)", async () => {
    expect(tf.version_core).toBe(TFJS_VERSION);
    const started = await initTrainingBackend({prefer: "wasm", native: false});
    expect(started.backend).toBe("wasm");
    for (const name of WASM_KERNELS_USED) expect(tf.getKernel(name, "wasm")).toBeDefined();
  });
});
