import {describe, expect, it} from "vitest";
import crypto from "node:crypto";
import {contentSecurityPolicy, hardenPage} from "../../tools/site-policy.js";

const PAGE = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1">
<script type="module">import {define} from "./client.js";</script>
<script src="./other.js"></script>
</head>
<body><input id="observablehq-sidebar-toggle" type="checkbox" title="Toggle sidebar">
<nav id="observablehq-sidebar">
  <ol>
    <label id="observablehq-sidebar-close" for="observablehq-sidebar-toggle"></label>
    <li class="observablehq-link"><a href="./">Home</a></li>
  </ol>
</nav>
<script>document.body.dataset.ready = "1";</script></body>
</html>`;

const sha = (text: string) => `'sha256-${crypto.createHash("sha256").update(text).digest("base64")}'`;

describe("the built pages' policy", () => {
  it("contentSecurityPolicy(scripts) allows this site only, each inline script by hash, WebAssembly, and no eval", () => {
    const policy = contentSecurityPolicy(["a()", "b()", "a()"]);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain(`script-src 'self' ${sha("a()")} ${sha("b()")} 'wasm-unsafe-eval';`);
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("img-src 'self' data: blob:");
    expect(policy).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    expect(contentSecurityPolicy([], {extraScriptSrc: ["'unsafe-eval'"]})).toContain("'wasm-unsafe-eval' 'unsafe-eval';");
  });

  it("hardenPage(html) puts the policy first in <head>, hashes only inline scripts, sets lang and lets the reader zoom", () => {
    const page = hardenPage(PAGE);
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta http-equiv="Content-Security-Policy" content="[^"]+">\n<meta charset/);
    expect(page).toContain(sha('import {define} from "./client.js";'));
    expect(page).toContain(sha('document.body.dataset.ready = "1";'));
    expect(page).toContain('content="width=device-width, initial-scale=1"');
    // Run twice (a rebuild over an old dist), it still carries one policy.
    expect(hardenPage(page).match(/Content-Security-Policy/g)).toHaveLength(1);
    expect(page).toContain('aria-label="Show or hide the list of pages"');
    expect(page).toMatch(/<nav id="observablehq-sidebar" aria-label="Pages">\s*<label id="observablehq-sidebar-close"[^>]*><\/label>\s*<ol>\s*<li/);
    expect(() => hardenPage("<p>hi</p>", {file: "x.html"})).toThrow("x.html: no <html> and <head>, expected a page built by observable build");
  });
});
