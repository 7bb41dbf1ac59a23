import {describe, expect, it} from "vitest";
import {describeStage, stagesOf} from "../../src/components/ArchitectureDiagram.js";
import {createModel, modelSummary} from "../../src/lib/models/index.js";

describe("ArchitectureDiagram's stage captions", () => {
  it("describeStage folds repeated conv·BN·ReLU units and keeps what follows", () => {
    const types = ["Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D"];
    expect(describeStage(types.map((type) => ({type})))).toBe("2 × conv·BN·ReLU, max-pool");
  });

  it("a fer-tail-se stage reads as its convolutions, one SE gate and its pooling, one stage per blockN_ prefix", () => {
    const model = createModel("fer-tail-se");
    const stages = stagesOf(modelSummary(model).layers);
    model.dispose();
    const captions = Object.fromEntries(stages.map((stage) => [stage.name, describeStage(stage.layers)]));
    expect(captions.block2).toBe("2 × conv·BN·ReLU, SE gate, max-pool");
    expect(captions.block5).toBe("conv·BN·ReLU, SE gate");
    expect(stages.map((stage) => stage.name)).toEqual(["input", "block1", "block2", "block3", "block4", "block5", "global_pool", "dropout", "predictions"]);
  });
});
