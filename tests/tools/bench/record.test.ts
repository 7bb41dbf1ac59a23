import {describe, expect, it} from "vitest";
import {benchCommand} from "../../../tools/bench/record.js";

describe("benchCommand(name, argv)", () => {
  it("keeps the flags that change a bench's numbers and drops where the site and the output live and the load note", () => {
    expect(benchCommand("personal", ["--reps", "3", "--write", "src/data/classifier-personal.json", "--dist", "/tmp/site", "--load", "nothing else running"])).toBe(
      "npm run bench -- personal --reps 3"
    );
    expect(benchCommand("pipeline", ["--write=out.json", "--seed", "9"])).toBe("npm run bench -- pipeline --seed 9");
    expect(benchCommand("pipeline", [])).toBe("npm run bench -- pipeline");
  });
});
