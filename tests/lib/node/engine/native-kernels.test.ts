import {loadNativeAddon} from "../../../../src/lib/node/engine/native-build.ts";
import {describe, it} from "vitest";
import {describeKernelChecks} from "./kernel-checks.ts";

// The oneDNN addon builds only where libdnnl-dev is installed; elsewhere the engine runs on pure wasm.
if (loadNativeAddon() != null) {
  describeKernelChecks("wasm kernels with the native oneDNN addon", {native: true});
} else {
  describe.skip("wasm kernels with the native oneDNN addon (not built: needs libdnnl-dev and g++)", () => {
    it("is skipped", () => {});
  });
}
