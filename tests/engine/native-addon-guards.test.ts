// The addon's argument checks: a bad offset, size, shape or parameter count must throw a JavaScript error that
// names the kernel and the argument, and leave the heap as it was; a good call writes only its output.
import {describe, expect, it} from "vitest";
import {loadNativeAddon, nativeUnavailableReason, type NativeAddon} from "../../engine/native-build.js";

const addon = loadNativeAddon();
const HEAP_BYTES = 1 << 20;

/** A 1 MiB heap of a fixed byte pattern, so any stray write shows. */
function patternedHeap(): ArrayBuffer {
  const heap = new ArrayBuffer(HEAP_BYTES);
  const bytes = new Uint8Array(heap);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;
  return heap;
}

// conv2d over a 1x48x48x4 input, 3x3x4x8 filter, stride 1, "same" padding: x 36864 bytes at 0, filter
// 1152 bytes after it, output 73728 bytes after that, bias 32 bytes last.
const X = 0;
const W = 36864;
const Y = W + 1152;
const BIAS = Y + 73728;
function convParams(changes: Partial<Record<"x" | "w" | "y" | "bias" | "n" | "oh" | "pb", number>> = {}): Float64Array {
  const c = {x: X, w: W, y: Y, bias: -1, n: 1, oh: 48, pb: 1, ...changes};
  // x, w, y, bias, n, h, w, ic, oc, kh, kw, sh, sw, pt, pl, pb, pr, oh, ow, dh, dw, relu, winograd, keepX, keepDy
  return Float64Array.from([c.x, c.w, c.y, c.bias, c.n, 48, 48, 4, 8, 3, 3, 1, 1, 1, 1, c.pb, 1, c.oh, 48, 1, 1, 0, 1, -1, -1]);
}

interface BadCall {
  what: string;
  call: (addon: NativeAddon, heap: ArrayBuffer) => unknown;
  error: string;
}

const BAD_CALLS: BadCall[] = [
  {
    what: "an input offset at the heap's end",
    call: (a, heap) => a.conv2d(heap, 0, convParams({x: HEAP_BYTES})),
    error: "conv2d: input at offset 1048576 + 36864 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "a batch too large for the heap",
    call: (a, heap) => a.conv2d(heap, 0, convParams({n: 30})),
    error: "conv2d: input at offset 0 + 1105920 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "an output gradient that runs past the heap (backward data)",
    call: (a, heap) => a.conv2d(heap, 1, convParams({y: HEAP_BYTES - 4096})),
    error: "conv2d: output gradient at offset 1044480 + 73728 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "a negative filter offset",
    call: (a, heap) => a.conv2d(heap, 2, convParams({w: -4})),
    error: "conv2d: filter gradient offset -4 is not a byte offset (a whole number >= 0)"
  },
  {
    what: "a misaligned output offset",
    call: (a, heap) => a.conv2d(heap, 0, convParams({y: Y + 2})),
    error: "conv2d: output at offset 38018 is not aligned to 4 bytes"
  },
  {what: "a NaN bias offset", call: (a, heap) => a.conv2d(heap, 0, convParams({bias: NaN})), error: "conv2d: bias offset NaN is not a byte offset"},
  {what: "a bias past the heap", call: (a, heap) => a.conv2d(heap, 0, convParams({bias: HEAP_BYTES - 16})), error: "conv2d: bias at offset 1048560 + 32 bytes lies past"},
  {what: "a zero batch", call: (a, heap) => a.conv2d(heap, 0, convParams({n: 0})), error: "conv2d: batch must be a whole number >= 1, got 0"},
  {what: "a fractional batch", call: (a, heap) => a.conv2d(heap, 0, convParams({n: 1.5})), error: "conv2d: batch must be a whole number >= 1, got 1.5"},
  {
    what: "an output height that does not follow from the input",
    call: (a, heap) => a.conv2d(heap, 0, convParams({oh: 47})),
    error: "conv2d: output height 47 does not follow from input height 48, filter 3, dilation 1, stride 1 and padding 1 + 1"
  },
  {what: "kind 3", call: (a, heap) => a.conv2d(heap, 3 as 0, convParams()), error: "conv2d: kind must be 0 (forward), 1 (backward data) or 2 (backward weights), got 3"},
  {what: "24 parameters", call: (a, heap) => a.conv2d(heap, 0, convParams().subarray(1)), error: "conv2d: params must hold 25 numbers, got 24"},
  {what: "a Float32Array of parameters", call: (a, heap) => a.conv2d(heap, 0, new Float32Array(25) as unknown as Float64Array), error: "conv2d: params must be a Float64Array"},
  {
    what: "a winograd flag of 2",
    call: (a, heap) => a.conv2d(heap, 0, Float64Array.from([...convParams().subarray(0, 22), 2, -1, -1])),
    error: "conv2d: winograd must be 0 or 1, got 2"
  },
  {
    what: "a keep id of -2",
    call: (a, heap) => a.conv2d(heap, 0, Float64Array.from([...convParams().subarray(0, 23), -1, -2])),
    error: "conv2d: keepDy must be a whole number >= -1, got -2"
  },
  {what: "a typed array for a heap", call: (a, heap) => a.conv2d(new Uint8Array(heap) as unknown as ArrayBuffer, 0, convParams()), error: "conv2d: heap must be an ArrayBuffer"},
  {
    what: "batchNorm statistics past the heap",
    call: (a, heap) => a.batchNormForward(heap, Float64Array.from([0, 4096, 4160, 8192, HEAP_BYTES - 32, 0, 64, 16, 1e-3, 0, -1, -1, -1, -1, 0])),
    error: "batchNormForward: mean at offset 1048544 + 64 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "a batchNorm epsilon of NaN",
    call: (a, heap) => a.batchNormForward(heap, Float64Array.from([0, 4096, 4160, 8192, 12288, 12352, 64, 16, NaN, 0, -1, -1, -1, -1, 0])),
    error: "batchNormForward: epsilon must be a finite number >= 0, got NaN"
  },
  {
    what: "a batchNorm relu flag of 2",
    call: (a, heap) => a.batchNormForward(heap, Float64Array.from([0, 4096, 4160, 8192, 12288, 12352, 64, 16, 1e-3, 2, -1, -1, -1, -1, 0])),
    error: "batchNormForward: relu must be 0 or 1, got 2"
  },
  {
    what: "new moving statistics past the heap",
    call: (a, heap) => a.batchNormForward(heap, Float64Array.from([0, 4096, 4160, 8192, 12288, 12352, 64, 16, 1e-3, 1, 12416, 12480, 12544, HEAP_BYTES - 4, 0.9])),
    error: "batchNormForward: newMovingVariance at offset 1048572 + 64 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "a batchNorm momentum above 1",
    call: (a, heap) => a.batchNormForward(heap, Float64Array.from([0, 4096, 4160, 8192, 12288, 12352, 64, 16, 1e-3, 1, 12416, 12480, 12544, 12608, 1.5])),
    error: "batchNormForward: momentum must be a number from 0 to 1, got 1.5"
  },
  {
    what: "inference batchNorm output past the heap",
    call: (a, heap) => a.batchNormInference(heap, Float64Array.from([0, 4096, 4160, 4224, 4288, HEAP_BYTES - 8, 64, 16, 1e-3, 1])),
    error: "batchNormInference: y at offset 1048568 + 4096 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "an inference batchNorm epsilon below 0",
    call: (a, heap) => a.batchNormInference(heap, Float64Array.from([0, 4096, 4160, 4224, 4288, 8192, 64, 16, -1, 0])),
    error: "batchNormInference: epsilon must be a finite number >= 0, got -1"
  },
  {
    what: "batchNorm gradients with too many rows",
    call: (a, heap) => a.batchNormBackward(heap, Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1 << 20, 16, 0, 0])),
    error: "batchNormBackward: dy at offset 0 + 67108864 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "a dropout rate of 1",
    call: (a, heap) => a.dropout(heap, Float64Array.from([0, 4096, 8192, 1024, 1, 7])),
    error: "dropout: rate must be a number between 0 and 1, got 1"
  },
  {
    what: "a dropout seed that is not a 32-bit whole number",
    call: (a, heap) => a.dropout(heap, Float64Array.from([0, 4096, 8192, 1024, 0.3, 2 ** 32])),
    error: "dropout: seed must be a whole number from 0 to 2^32 - 1, got 4294967296"
  },
  {
    what: "a dropout scale past the heap",
    call: (a, heap) => a.dropout(heap, Float64Array.from([0, 4096, HEAP_BYTES - 64, 1024, 0.3, 7])),
    error: "dropout: scale at offset 1048512 + 4096 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "a max-pool gradient past the heap",
    call: (a, heap) => a.maxPoolGrad(heap, Float64Array.from([0, 65536, HEAP_BYTES - 1024, 1, 16, 16, 4, 8, 8, 2, 2, 2, 2, 0, 0])),
    error: "maxPoolGrad: dx at offset 1047552 + 4096 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "a depthwise input gradient whose filter lies past the heap",
    call: (a, heap) => a.depthwiseBackpropInput(heap, Float64Array.from([0, HEAP_BYTES - 64, 65536, 1, 16, 16, 4, 8, 8, 3, 3, 2, 2, 0, 0])),
    error: "depthwiseBackpropInput: filter at offset 1048512 + 144 bytes lies past the heap's 1048576 bytes"
  },
  {
    what: "matmul batches that do not broadcast",
    call: (a, heap) => a.matmul(heap, Float64Array.from([0, 4096, 8192, -1, 3, 2, 4, 4, 4, 0, 0, 0])),
    error: "matmul: batches 3 and 2 do not broadcast (equal, or one of them 1)"
  },
  {
    what: "a matmul product past the heap",
    call: (a, heap) => a.matmul(heap, Float64Array.from([0, 4096, HEAP_BYTES - 60, -1, 1, 1, 4, 4, 4, 0, 0, 0])),
    error: "matmul: c at offset 1048516 + 64 bytes lies past the heap's 1048576 bytes"
  },
  {what: "a matmul transpose flag of 2", call: (a, heap) => a.matmul(heap, Float64Array.from([0, 64, 128, -1, 1, 1, 4, 4, 4, 2, 0, 0])), error: "matmul: transA must be 0 or 1, got 2"},
  {
    what: "a relu gradient one float too long",
    call: (a, heap) => a.reluGrad(heap, Float64Array.from([0, 0, 0, HEAP_BYTES / 4 + 1])),
    error: "reluGrad: dy at offset 0 + 1048580 bytes lies past the heap's 1048576 bytes"
  },
  {what: "a column sum out past the heap", call: (a, heap) => a.columnSum(heap, Float64Array.from([0, HEAP_BYTES, 4, 4])), error: "columnSum: out at offset 1048576 + 16 bytes lies past"},
  {what: "a missing argument", call: (a, heap) => (a.reluGrad as (heap: ArrayBuffer) => void)(heap), error: "reluGrad: expects 2 arguments (heap, params), got 1"}
];

if (addon == null) {
  describe.skip(`the native addon's argument checks (addon not built: ${nativeUnavailableReason() ?? "FER_NATIVE=0"})`, () => {
    it("is skipped", () => {});
  });
} else {
  describe("the native addon's argument checks", () => {
    for (const bad of BAD_CALLS) {
      it(`rejects ${bad.what} and leaves the heap unchanged`, () => {
        const heap = patternedHeap();
        const before = new Uint8Array(heap.slice(0));
        expect(() => bad.call(addon, heap)).toThrow(bad.error);
        expect(Buffer.compare(new Uint8Array(heap), before)).toBe(0);
      });
    }

    it("conv2d with valid arguments writes its output and nothing else", () => {
      const heap = patternedHeap();
      const floats = new Float32Array(heap);
      for (let i = 0; i < Y / 4; i++) floats[i] = ((i % 13) - 6) / 8; // input and filter
      for (let i = 0; i < 8; i++) floats[BIAS / 4 + i] = i / 4;
      const before = new Uint8Array(heap.slice(0));
      addon.conv2d(heap, 0, convParams({bias: BIAS}));
      const after = new Uint8Array(heap);
      expect(Buffer.compare(after.subarray(0, Y), before.subarray(0, Y))).toBe(0);
      expect(Buffer.compare(after.subarray(BIAS), before.subarray(BIAS))).toBe(0);
      // The centre pixel of output channel 0: a full 3x3x4 window plus bias 0.
      const at = (y: number, x: number, c: number) => floats[((y * 48 + x) * 4 + c)];
      let expected = 0;
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          for (let c = 0; c < 4; c++) expected += at(23 + ky, 23 + kx, c) * floats[W / 4 + ((ky * 3 + kx) * 4 + c) * 8];
        }
      }
      expect(floats[Y / 4 + (24 * 48 + 24) * 8]).toBeCloseTo(expected, 4);
    });

    it("conv2d's keep ids change no result: a kept blocked copy serves only a later call on the same tensor", () => {
      // A Winograd shape (3x3, 32 channels each way, 12x12 output): 1 x 12 x 12 x 32 input, 3x3x32x32 filter.
      const [xAt, xElsewhere, wAt, dyAt, outAt] = [0, 20480, 40960, 81920, 102400];
      const params = (kind: "x" | "dx" | "dw", keepX: number, keepDy: number, x = xAt) =>
        Float64Array.from([kind === "dx" ? outAt : x, kind === "dw" ? outAt : wAt, kind === "x" ? outAt : dyAt, -1,
          1, 12, 12, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 12, 12, 1, 1, 0, 1, keepX, keepDy]);
      const heap = new ArrayBuffer(HEAP_BYTES);
      const floats = new Float32Array(heap);
      for (let i = 0; i < outAt / 4; i++) floats[i] = Math.sin(i * 0.37);
      const output = (bytes: number) => floats.slice(outAt / 4, (outAt + bytes) / 4);
      const run = (kind: 0 | 1 | 2, p: Float64Array, bytes: number) => (addon.conv2d(heap, kind, p), output(bytes));
      const [xBytes, wBytes] = [12 * 12 * 32 * 4, 9 * 32 * 32 * 4];
      const plain = {dx: run(1, params("dx", -1, -1), xBytes), dw: run(2, params("dw", -1, -1), wBytes), dwElsewhere: run(2, params("dw", -1, -1, xElsewhere), wBytes)};
      const y = run(0, params("x", 1001, -1), xBytes); // keeps x's blocked copy under 1001
      expect(y).toEqual(run(0, params("x", -1, -1), xBytes));
      expect(run(1, params("dx", -1, 1002), xBytes)).toEqual(plain.dx); // keeps dy's under 1002
      expect(run(2, params("dw", 1001, 1002), wBytes)).toEqual(plain.dw); // takes both
      // An id whose copy holds another tensor (another address) is not taken: the call reorders its own.
      run(0, params("x", 1003, -1), xBytes);
      expect(run(2, params("dw", 1003, -1, xElsewhere), wBytes)).toEqual(plain.dwElsewhere);
      // Where oneDNN runs this shape with Winograd (its results then differ from the direct convolution's in the
      // last bits), a taken copy is really used: overwriting x after the forward pass (which the tape never does)
      // leaves the filter gradient that of the x the forward pass saw.
      const direct = params("x", -1, -1);
      direct[22] = 0;
      const winograd = run(0, direct, xBytes).some((v, i) => v !== y[i]);
      if (winograd) {
        run(0, params("x", 1004, -1), xBytes);
        const saved = floats.slice(0, xBytes / 4);
        floats.fill(0.5, 0, xBytes / 4);
        expect(run(2, params("dw", 1004, -1), wBytes)).toEqual(plain.dw);
        floats.set(saved, 0);
      }
      // Many ids kept and never taken are dropped, oldest first, and change nothing either.
      for (let id = 2000; id < 2040; id++) run(0, params("x", id, -1), xBytes);
      expect(run(2, params("dw", 2039, -1), wBytes)).toEqual(plain.dw);
      expect(run(1, params("dx", -1, 2000), xBytes)).toEqual(plain.dx);
    });

    it("reluGrad over the whole heap is allowed (offset + size equal to its length)", () => {
      const heap = new ArrayBuffer(4096);
      expect(() => addon.reluGrad(heap, Float64Array.from([0, 0, 0, 1024]))).not.toThrow();
    });

    it("adam rejects arrays of unequal lengths, and sumInto a short slot, without writing", () => {
      const w = new Float32Array([1, 2, 3]);
      expect(() => addon.adam(w, new Float32Array(3), new Float32Array(2), new Float32Array(3), new Float64Array(7))).toThrow("adam: m has 2 numbers, params 3");
      const out = new Float32Array([5, 5, 5]);
      expect(() => addon.sumInto(out, [new Float32Array(3).fill(1), new Float32Array(2)])).toThrow("sumInto: slot 1 has 2 numbers, out 3");
      expect(Array.from(out)).toEqual([5, 5, 5]);
      expect(() => addon.setThreads(0)).toThrow("setThreads: threads must be a whole number from 1 to 4096, got 0");
    });
  });
}
