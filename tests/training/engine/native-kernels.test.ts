import {loadNativeAddon} from "../../../training/engine/native-build.ts";
import {describe, it} from "vitest";
import {describeKernelChecks} from "./kernel-checks.ts";

// The oneDNN addon builds only where libdnnl-dev is installed; elsewhere the engine runs on pure wasm.
const nativeBuilt = loadNativeAddon() != null;
if (nativeBuilt) describeKernelChecks("wasm kernels with the native oneDNN addon", {native: true});
describe.skipIf(nativeBuilt)("wasm kernels with the native oneDNN addon", () => {
  it("are not checked here: the addon is not built (needs libdnnl-dev and g++)", () => {});
});
