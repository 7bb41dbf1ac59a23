import {execFileSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {describe, expect, it} from "vitest";
import {tarArchive} from "../../src/lib/tar.js";

describe("tarArchive", () => {
  it("tarArchive(entries) writes an archive GNU tar lists and extracts byte for byte", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fer-tar-"));
    try {
      const binary = Uint8Array.from({length: 1500}, (_, k) => (k * 37) % 256);
      const archive = tarArchive([
        {name: "evaluations.json", data: '{"a":1}'},
        {name: "faces-PublicTest.png", data: binary},
        {name: "empty.txt", data: ""}
      ]);
      expect(archive.length % 512).toBe(0);
      const file = path.join(dir, "x.tar");
      fs.writeFileSync(file, archive);
      expect(execFileSync("tar", ["-tf", file], {encoding: "utf8"}).trim().split("\n")).toEqual(["evaluations.json", "faces-PublicTest.png", "empty.txt"]);
      execFileSync("tar", ["-xf", file, "-C", dir]);
      expect(fs.readFileSync(path.join(dir, "evaluations.json"), "utf8")).toBe('{"a":1}');
      expect(new Uint8Array(fs.readFileSync(path.join(dir, "faces-PublicTest.png")))).toEqual(binary);
      expect(fs.readFileSync(path.join(dir, "empty.txt")).length).toBe(0);
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });

  it("tarArchive(entries) rejects a duplicate, absolute, parent-relative or over-long member name", () => {
    expect(() => tarArchive([{name: "a", data: ""}, {name: "a", data: ""}])).toThrow('tar: duplicate member name "a"');
    expect(() => tarArchive([{name: "/etc/x", data: ""}])).toThrow('tar: invalid member name "/etc/x"');
    expect(() => tarArchive([{name: "../x", data: ""}])).toThrow('tar: invalid member name "../x"');
    expect(() => tarArchive([{name: "x".repeat(101), data: ""}])).toThrow("is longer than 100 bytes");
  });
});
