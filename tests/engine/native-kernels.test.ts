// The engine's wasm kernels with the native oneDNN addon, against tfjs's cpu backend. The addon is built with
// $CXX when set (CI runs this file with CXX=g++ and CXX=clang++); FER_NATIVE_REQUIRED=1 turns a missing addon
// into a failure instead of a skip.
import path from "node:path";
import {describe, expect, it} from "vitest";
import {findToolchain, loadNativeAddon, nativeAddonPath, nativeUnavailableReason} from "../../engine/native-build.js";
import {describeKernelChecks} from "./kernel-checks.js";

const addon = loadNativeAddon();

if (addon != null) {
  describe("the native addon's build", () => {
    it("is named after its compiler and oneDNN version, and was compiled against that version", () => {
      const {toolchain} = findToolchain();
      const file = path.basename(nativeAddonPath()!);
      expect(file).toContain(`-${toolchain!.compiler.id}-onednn${addon.dnnlVersion()}.node`);
      expect(toolchain!.oneDnn.version).toBe(addon.dnnlVersion());
    });

    const cxx = process.env.CXX?.trim();
    if (cxx) {
      it(`was built by $CXX (${cxx})`, () => {
        const {compiler} = findToolchain().toolchain!;
        expect(compiler.command).toEqual(cxx.split(/\s+/));
        if (cxx.includes("clang")) expect(compiler.family).toBe("clang");
      });
    }
  });
  describeKernelChecks("wasm kernels with the native oneDNN addon", {native: true});
} else if (process.env.FER_NATIVE_REQUIRED === "1") {
  it("builds the native addon (FER_NATIVE_REQUIRED=1)", () => {
    expect.fail(`the native addon is not available: ${nativeUnavailableReason()}`);
  });
} else {
  describe.skip(`wasm kernels with the native oneDNN addon (not built: ${nativeUnavailableReason() ?? "FER_NATIVE=0"})`, () => {
    it("is skipped", () => {});
  });
}
