import {describe, expect, it} from "vitest";
import {HelpRequest, parseFlags} from "../../tools/cli.js";

const SPEC = {data: "string", epochs: "number", resume: "boolean"} as const;

describe("parseFlags", () => {
  it("parseFlags(argv, spec) reads --flag value, --flag=value and bare boolean flags", () => {
    const {flags, positionals} = parseFlags(["ingest", "--data", "x.csv", "--epochs=3", "--resume"], SPEC);
    expect(flags).toEqual({data: "x.csv", epochs: 3, resume: true});
    expect(positionals).toEqual(["ingest"]);
  });

  it("parseFlags(argv, spec, usage) answers --help and -h with a HelpRequest carrying the usage", () => {
    for (const help of ["--help", "-h"]) {
      let thrown: unknown;
      try {
        parseFlags(["--epochs", "3", help], {epochs: "number"}, "usage: train");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HelpRequest);
      expect((thrown as HelpRequest).usage).toBe("usage: train");
    }
  });

  it("parseFlags(argv, spec) leaves absent flags undefined", () => {
    expect(parseFlags([], SPEC).flags).toEqual({});
  });

  it("parseFlags(argv, spec) takes everything after -- as positionals", () => {
    expect(parseFlags(["--", "--data"], SPEC).positionals).toEqual(["--data"]);
  });

  it("parseFlags(argv, spec) rejects an unknown flag, listing the known ones", () => {
    expect(() => parseFlags(["--dat", "x"], SPEC)).toThrow("unknown flag --dat, expected one of --data, --epochs, --resume");
    expect(() => parseFlags(["-d"], SPEC)).toThrow("unknown flag -d");
  });

  it("parseFlags(argv, spec) rejects a missing or non-numeric value and a value on a boolean", () => {
    expect(() => parseFlags(["--data"], SPEC)).toThrow("flag --data needs a string value");
    expect(() => parseFlags(["--data", "--resume"], SPEC)).toThrow("flag --data needs a string value");
    expect(() => parseFlags(["--epochs", "ten"], SPEC)).toThrow('flag --epochs is "ten", expected a number');
    expect(() => parseFlags(["--resume=yes"], SPEC)).toThrow('flag --resume takes no value, found "yes"');
  });
});
