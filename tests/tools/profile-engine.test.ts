import {describe, expect, it} from "vitest";
import {convCall} from "../../tools/profile-engine.js";

describe("convCall(kernel, inputShapes, outputShapes)", () => {
  // A 3x3 'same' convolution from 16 to 34 channels on a batch of 32 faces of 24x24: 2 x 32 x 24 x 24 x 34 x 9 x 16 FLOPs.
  const flops = 2 * 32 * 24 * 24 * 34 * 9 * 16;
  const layer = "32x24x24x16 -> 34 (3x3)";

  it("names the layer and counts the arithmetic of a forward call", () => {
    expect(convCall("EngineConv2D", [[32, 24, 24, 16], [3, 3, 16, 34]], [[32, 24, 24, 34]])).toEqual({layer, flops});
    expect(convCall("Conv2D", [[32, 24, 24, 16], [3, 3, 16, 34]], [[32, 24, 24, 34]])).toEqual({layer, flops});
  });

  it("gives both gradients of that layer the same name and count", () => {
    expect(convCall("Conv2DBackpropInput", [[32, 24, 24, 34], [3, 3, 16, 34]], [[32, 24, 24, 16]])).toEqual({layer, flops});
    expect(convCall("Conv2DBackpropFilter", [[32, 24, 24, 16], [32, 24, 24, 34]], [[3, 3, 16, 34]])).toEqual({layer, flops});
  });

  it("ignores other kernels and shapes that are not 4-d", () => {
    expect(convCall("MaxPool", [[32, 24, 24, 16]], [[32, 12, 12, 16]])).toBeNull();
    expect(convCall("Conv2D", [[24, 24, 16], [3, 3, 16, 34]], [[24, 24, 34]])).toBeNull();
  });
});
