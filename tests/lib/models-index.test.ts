import {describe, expect, it} from "vitest";
import {addToModelsIndex, checkModelName, parseModelsIndex, withEnsembleCalibration} from "../../src/lib/models-index.js";
import type {ModelCalibration} from "../../src/lib/model-folder.js";

const CALIBRATION: ModelCalibration = {
  temperature: 0.6,
  split: "PublicTest",
  faces: 3589,
  tta: "flip",
  before: {meanConfidence: 0.5, crossEntropy: 0.9, ece: 0.2},
  after: {meanConfidence: 0.7, crossEntropy: 0.8, ece: 0.02},
  fittedAt: "2026-12-05T00:00:00.000Z"
};

describe("parseModelsIndex", () => {
  it("parseModelsIndex(json) accepts names or {name} objects and puts the default first", () => {
    expect(parseModelsIndex({default: "fer-lite", models: ["seed-vgg", {name: "fer-lite"}]})).toEqual({default: "fer-lite", models: ["fer-lite", "seed-vgg"], ensembles: []});
  });

  it("parseModelsIndex(json) reads {name, members} entries as ensembles of the listed model folders, kept out of `models`", () => {
    const index = parseModelsIndex({default: "b", models: ["a", "b", {name: "pair", members: ["a", "b"]}, "c"]});
    expect(index).toEqual({default: "b", models: ["b", "a", "c"], ensembles: [{name: "pair", members: ["a", "b"]}]});
  });

  it("parseModelsIndex(json) rejects an ensemble of fewer than 2 or more than 5 members, repeated or unlisted members, and an ensemble as default", () => {
    const models = ["a", "b", "c", "d", "e", "f"];
    expect(() => parseModelsIndex({default: "a", models: [...models, {name: "one", members: ["a"]}]})).toThrow(
      'models.json: ensemble "one" has members ["a"], expected 2 to 5 distinct model folders of this list (a, b, c, d, e, f)'
    );
    expect(() => parseModelsIndex({default: "a", models: [...models, {name: "six", members: models}]})).toThrow('ensemble "six" has members');
    expect(() => parseModelsIndex({default: "a", models: [...models, {name: "twice", members: ["a", "a"]}]})).toThrow('ensemble "twice" has members ["a","a"]');
    expect(() => parseModelsIndex({default: "a", models: ["a", "b", {name: "x", members: ["a", "zz"]}]})).toThrow('ensemble "x" lists member "zz"');
    expect(() => parseModelsIndex({default: "a", models: ["a", "b", {name: "x", members: ["a", {name: "b"}]}]})).toThrow('ensemble "x" lists member {"name":"b"}');
    // An ensemble cannot be a member of another: members are model folders.
    expect(() => parseModelsIndex({default: "a", models: ["a", "b", {name: "x", members: ["a", "b"]}, {name: "y", members: ["a", "x"]}]})).toThrow('ensemble "y" lists member "x"');
    expect(() => parseModelsIndex({default: "x", models: ["a", "b", {name: "x", members: ["a", "b"]}]})).toThrow(
      '"default" is "x", expected one of a, b (the default is the classifier\'s one network, not an ensemble)'
    );
    expect(() => parseModelsIndex({default: "a", models: ["a", "b", "a"]})).toThrow('"models" lists a twice');
  });

  it("parseModelsIndex(json) reads an ensemble's calibration and names the ensemble when it is malformed", () => {
    const index = parseModelsIndex({default: "a", models: ["a", "b", {name: "pair", members: ["a", "b"], calibration: CALIBRATION}]});
    expect(index.ensembles).toEqual([{name: "pair", members: ["a", "b"], calibration: CALIBRATION}]);
    expect(() => parseModelsIndex({default: "a", models: ["a", "b", {name: "pair", members: ["a", "b"], calibration: {...CALIBRATION, temperature: -1}}]})).toThrow(
      'models.json: ensemble "pair": calibration.temperature must be a number from 0.05 to 20, got -1'
    );
  });

  it("parseModelsIndex(json) rejects a default that is not listed, naming the file and the listed models", () => {
    expect(() => parseModelsIndex({default: "vgg", models: ["fer-lite"]}, "src/models/models.json")).toThrow(
      'src/models/models.json: "default" is "vgg", expected one of fer-lite'
    );
  });

  it("parseModelsIndex(json) rejects an empty list and a name that is not a folder name", () => {
    expect(() => parseModelsIndex({default: "a", models: []})).toThrow('"models" must be a non-empty array');
    expect(() => parseModelsIndex({default: "a", models: ["a", "../etc"]})).toThrow('models[1] is "../etc", expected a folder name under src/models');
  });
});

describe("addToModelsIndex", () => {
  it("addToModelsIndex(index, {name, makeDefault}) appends a new name, keeps object entries and a valid default", () => {
    const index = {default: "a", models: [{name: "a", note: "kept"}, "b"]};
    expect(addToModelsIndex(index, {name: "c", makeDefault: false})).toEqual({default: "a", models: [{name: "a", note: "kept"}, "b", "c"]});
    expect(addToModelsIndex(index, {name: "b", makeDefault: true})).toEqual({default: "b", models: [{name: "a", note: "kept"}, "b"]});
    expect(addToModelsIndex(null, {name: "first", makeDefault: false})).toEqual({default: "first", models: ["first"]});
  });
});

describe("checkModelName", () => {
  it("checkModelName(name) accepts folder names of letters, digits, '.', '_' and '-'", () => {
    for (const name of ["fer-compact", "fer_slim.v2", "a", "ensemble-5"]) expect(checkModelName(name)).toBe(name);
  });

  it("checkModelName(name) rejects paths, names of the files beside the models, and temporary folders", () => {
    expect(() => checkModelName("../etc", "--name")).toThrow('--name is "../etc", expected a folder name of letters, digits');
    expect(() => checkModelName("models.json", "--name")).toThrow('--name is "models.json": a model folder cannot be named like a file');
    expect(() => checkModelName("weights.bin")).toThrow("cannot be named like a file");
    expect(() => checkModelName("fer.tmp-123")).toThrow("temporary folder");
    expect(() => checkModelName("")).toThrow("expected a folder name");
    expect(() => checkModelName("x".repeat(65))).toThrow("at most 64");
  });

  it("addToModelsIndex refuses a name that is not a model folder name", () => {
    expect(() => addToModelsIndex({default: "a", models: ["a"]}, {name: "models.json", makeDefault: false})).toThrow("cannot be named like a file");
  });
});

describe("withEnsembleCalibration", () => {
  it("withEnsembleCalibration(index, {name, calibration}) sets (or replaces) one ensemble's calibration and keeps the rest as it was", () => {
    const index = {default: "a", note: "kept", models: ["a", {name: "b"}, {name: "pair", members: ["a", "b"]}]};
    const once = withEnsembleCalibration(index, {name: "pair", calibration: CALIBRATION});
    expect(once).toEqual({default: "a", note: "kept", models: ["a", {name: "b"}, {name: "pair", members: ["a", "b"], calibration: CALIBRATION}]});
    const again = withEnsembleCalibration(once, {name: "pair", calibration: {...CALIBRATION, temperature: 0.7}});
    expect(parseModelsIndex(again).ensembles[0].calibration?.temperature).toBe(0.7);
    expect(index.models[2]).toEqual({name: "pair", members: ["a", "b"]});
  });

  it("withEnsembleCalibration refuses a name that is not an ensemble of the file", () => {
    expect(() => withEnsembleCalibration({default: "a", models: ["a", "b"]}, {name: "a", calibration: CALIBRATION})).toThrow('models.json has no ensemble "a"');
  });
});
