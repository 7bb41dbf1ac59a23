// The addon build's rules, on fake environments and file trees: which compiler, which oneDNN prefix, which
// flags, which file name, and the one notice when there is no addon. Nothing here runs a compiler.
import {describe, expect, it} from "vitest";
import {
  addonFileName,
  chooseCompilerCommand,
  compileArguments,
  findOneDnn,
  nativeUnavailableNotice,
  noteNativeUnavailable,
  oneDnnPrefixes,
  parseCompilerVersion,
  type FileProbe,
  type Toolchain
} from "../../engine/native-build.js";

function fakeTree(files: Record<string, string>): FileProbe {
  return {exists: (file) => file in files, readText: (file) => files[file] ?? null};
}

const VERSION_H = (major: number, minor: number, patch: number) =>
  `#define DNNL_VERSION_MAJOR ${major}\n#define DNNL_VERSION_MINOR ${minor}\n#define DNNL_VERSION_PATCH ${patch}\n`;

describe("chooseCompilerCommand(env)", () => {
  it("takes CXX first, with its arguments", () => {
    expect(chooseCompilerCommand({CXX: " ccache clang++ "}, () => true)).toEqual(["ccache", "clang++"]);
  });
  it("falls back to g++, then clang++, then nothing", () => {
    expect(chooseCompilerCommand({}, () => true)).toEqual(["g++"]);
    expect(chooseCompilerCommand({CXX: ""}, (name) => name === "clang++")).toEqual(["clang++"]);
    expect(chooseCompilerCommand({}, () => false)).toBeNull();
  });
});

describe("parseCompilerVersion(text)", () => {
  it("reads g++, clang++ and Apple clang", () => {
    expect(parseCompilerVersion("g++ (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright")).toEqual({family: "gcc", version: "12.2.0", id: "gcc12.2.0"});
    expect(parseCompilerVersion("Debian clang version 14.0.6\nTarget: x86_64")).toEqual({family: "clang", version: "14.0.6", id: "clang14.0.6"});
    expect(parseCompilerVersion("Apple clang version 15.0.0 (clang-1500.3.9.4)").id).toBe("appleclang15.0.0");
  });
});

describe("oneDnnPrefixes(env, platform)", () => {
  it("puts DNNLROOT and ONEDNN_ROOT first, then /usr/local and /usr on Linux", () => {
    expect(oneDnnPrefixes({DNNLROOT: "/opt/dnnl", ONEDNN_ROOT: "/opt/onednn"}, "linux")).toEqual(["/opt/dnnl", "/opt/onednn", "/usr/local", "/usr"]);
  });
  it("adds Homebrew's prefixes on macOS", () => {
    expect(oneDnnPrefixes({}, "darwin")).toEqual(["/opt/homebrew/opt/onednn", "/opt/homebrew", "/usr/local/opt/onednn", "/usr/local", "/usr"]);
  });
});

describe("findOneDnn(prefixes, files)", () => {
  it("finds Debian's oneDNN 2.6 with its multiarch library folder", () => {
    const tree = fakeTree({
      "/usr/include/oneapi/dnnl/dnnl.hpp": "",
      "/usr/include/oneapi/dnnl/dnnl_version.h": VERSION_H(2, 6, 3),
      "/usr/lib/x86_64-linux-gnu/libdnnl.so": ""
    });
    expect(findOneDnn(["/usr/local", "/usr"], tree, "x64")).toEqual({
      prefix: "/usr",
      includeDir: "/usr/include",
      libDir: "/usr/lib/x86_64-linux-gnu",
      version: "2.6.3"
    });
  });
  it("prefers an earlier prefix (a oneDNN 3 in DNNLROOT over the system's 2.6)", () => {
    const tree = fakeTree({
      "/opt/onednn/include/oneapi/dnnl/dnnl.hpp": "",
      "/opt/onednn/include/oneapi/dnnl/dnnl_version.h": VERSION_H(3, 5, 3),
      "/opt/onednn/lib64/libdnnl.so": "",
      "/usr/include/oneapi/dnnl/dnnl.hpp": ""
    });
    expect(findOneDnn(["/opt/onednn", "/usr"], tree, "x64")).toMatchObject({prefix: "/opt/onednn", libDir: "/opt/onednn/lib64", version: "3.5.3"});
  });
  it("finds Homebrew's dylib, and returns null where no prefix has the headers", () => {
    const tree = fakeTree({"/opt/homebrew/include/oneapi/dnnl/dnnl.hpp": "", "/opt/homebrew/lib/libdnnl.dylib": ""});
    expect(findOneDnn(["/opt/homebrew"], tree, "arm64")).toMatchObject({libDir: "/opt/homebrew/lib", version: "unknown"});
    expect(findOneDnn(["/usr/local", "/usr"], fakeTree({}), "x64")).toBeNull();
  });
});

describe("compileArguments(toolchain, options)", () => {
  const toolchain = (prefix: string, libDir: string | null): Toolchain => ({
    compiler: {command: ["clang++"], family: "clang", version: "14.0.6", id: "clang14.0.6"},
    oneDnn: {prefix, includeDir: `${prefix}/include`, libDir, version: "3.5.3"},
    nodeIncludeDir: "/usr/include/node"
  });
  it("uses no OpenMP flag, binds symbols at load on Linux, and leaves /usr to the compiler's defaults", () => {
    const args = compileArguments(toolchain("/usr", "/usr/lib/x86_64-linux-gnu"), {source: "k.cc", output: "k.node", platform: "linux", arch: "x64"});
    expect(args).toEqual(["-O3", "-march=native", "-shared", "-fPIC", "-std=c++17", "-I/usr/include/node", "k.cc", "-ldnnl", "-Wl,-z,now", "-o", "k.node"]);
  });
  it("names another prefix's headers and library (with an rpath), and on macOS looks N-API up at load", () => {
    const args = compileArguments(toolchain("/opt/homebrew", "/opt/homebrew/lib"), {source: "k.cc", output: "k.node", platform: "darwin", arch: "arm64"});
    expect(args).toContain("-mcpu=native");
    expect(args).toContain("-I/opt/homebrew/include");
    expect(args).toContain("-Wl,-rpath,/opt/homebrew/lib");
    expect(args.join(" ")).toContain("-undefined dynamic_lookup");
    expect(args).not.toContain("-fopenmp");
  });
});

describe("addonFileName(hash, compiler, oneDnn)", () => {
  it("carries the compiler and the oneDNN version, so switching either rebuilds", () => {
    expect(addonFileName("0123456789ab", {id: "clang14.0.6"}, {version: "2.6.3"})).toBe("dnnl_kernels-0123456789ab-clang14.0.6-onednn2.6.3.node");
  });
});

describe("noteNativeUnavailable(reason)", () => {
  it("says why, how much slower (PROFILE.md's numbers) and how to fix it", () => {
    const linux = nativeUnavailableNotice("oneDNN's headers are not in /usr/local, /usr", "linux");
    expect(linux).toContain("pure WebAssembly: oneDNN's headers are not in /usr/local, /usr.");
    expect(linux).toContain("46 against 251 images/s");
    expect(linux).toContain("about 8x for seed-vgg");
    expect(linux).toContain("apt-get install libdnnl-dev g++");
    expect(nativeUnavailableNotice("x", "darwin")).toContain("brew install onednn");
  });
  it("prints once per process, and not in worker threads started after it (they copy the environment)", () => {
    const env: NodeJS.ProcessEnv = {};
    const written: string[] = [];
    noteNativeUnavailable("first", {env, write: (text) => written.push(text)});
    noteNativeUnavailable("second", {env, write: (text) => written.push(text)});
    noteNativeUnavailable("in a worker", {env: {...env}, write: (text) => written.push(text)});
    expect(written).toHaveLength(1);
    expect(written[0]).toContain("first");
  });
});
