import {describe, expect, it} from "vitest";
import {backendOrder} from "../../src/components/classifier/engine.js";
import {cameraErrorMessage} from "../../src/components/classifier/camera-panel.js";
import {accuracyText} from "../../src/components/classifier/status-bar.js";
import type {Evaluation} from "../../src/lib/model-folder.js";

describe("backendOrder", () => {
  it("backendOrder(renderer) tries WebGL first on a graphics card", () => {
    expect(backendOrder("ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)")).toEqual({order: ["webgl", "wasm", "cpu"], note: null});
  });

  it("backendOrder(null) (no WebGL at all) still lists WebGL first, to fail and fall back", () => {
    expect(backendOrder(null).order).toEqual(["webgl", "wasm", "cpu"]);
  });

  it("backendOrder puts WebAssembly first when WebGL is software-emulated, and says why", () => {
    const {order, note} = backendOrder("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)");
    expect(order).toEqual(["wasm", "webgl", "cpu"]);
    expect(note).toMatch(/SwiftShader/);
    expect(backendOrder("llvmpipe (LLVM 15.0.6, 256 bits)").order[0]).toBe("wasm");
  });

  it("backendOrder(renderer, preferred) tries the reader's choice first and ignores an unknown one", () => {
    expect(backendOrder("SwiftShader", "webgl")).toEqual({order: ["webgl", "wasm", "cpu"], note: null});
    expect(backendOrder(null, "cpu").order).toEqual(["cpu", "webgl", "wasm"]);
    expect(backendOrder(null, "webgpu").order).toEqual(["webgl", "wasm", "cpu"]);
  });
});

describe("cameraErrorMessage", () => {
  const failure = (name: string) => Object.assign(new Error("x"), {name});
  it("cameraErrorMessage tells a refusal, a missing camera and a busy camera apart", () => {
    expect(cameraErrorMessage(failure("NotAllowedError"))).toMatch(/Camera access was refused/);
    expect(cameraErrorMessage(failure("NotFoundError"))).toMatch(/No camera was found/);
    expect(cameraErrorMessage(failure("NotReadableError"))).toMatch(/busy/);
    expect(cameraErrorMessage(new Error("strange"))).toBe("The camera could not start: strange");
  });
});

describe("accuracyText", () => {
  const info = {name: "fer-lite", models: ["fer-lite"], metadata: null};
  it("accuracyText gives the single-pass PrivateTest accuracy of evaluation.json (as the page classifies), or null before evaluation", () => {
    // Only the fields accuracyText reads: the rest of evaluation.json does not matter here.
    const evaluation = {tta: true, splits: {PrivateTest: {accuracy: 0.6734}}, flipTta: {PrivateTest: {accuracy: 0.69}}} as unknown as Evaluation;
    expect(accuracyText({...info, evaluation})).toBe("67.3% accuracy on FER2013 PrivateTest");
    expect(accuracyText({...info, evaluation: null})).toBeNull();
  });
});
