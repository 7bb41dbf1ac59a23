import {describe, expect, it} from "vitest";
import {ENGINE_FEATURES, parseEngineOff} from "../../engine/features.js";

describe("parseEngineOff(FER_ENGINE_OFF)", () => {
  it("turns nothing off when unset or empty", () => {
    expect(parseEngineOff(undefined).size).toBe(0);
    expect(parseEngineOff(" , ").size).toBe(0);
  });

  it("reads a comma-separated list of feature names, or all of them", () => {
    expect([...parseEngineOff("bn-relu, conv-grads")]).toEqual(["bn-relu", "conv-grads"]);
    expect([...parseEngineOff("all")]).toEqual(Object.keys(ENGINE_FEATURES));
  });

  it("throws on a name it does not know, listing the ones it does", () => {
    expect(() => parseEngineOff("bn-relu,fast")).toThrow('FER_ENGINE_OFF names "fast", which is not an engine feature (bn-relu, bn-moving, conv-grads, winograd, keep-blocked, relu-bn, dropout, bn-inference, or all)');
  });
});
