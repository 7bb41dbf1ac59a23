import {describeKernelChecks} from "./kernel-checks.js";

// Pure wasm: our gradient kernels composed from XNNPACK forward convolutions, and the JS BatchNorm loops.
describeKernelChecks("wasm kernels without the native addon", {native: false});
