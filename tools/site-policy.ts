// The policy every built page carries (tools/harden-site.ts writes it after `observable build`):
// - a Content-Security-Policy <meta> as the first thing in <head>: everything from this site only
//   (default-src 'self', connect-src 'self'), scripts by the SHA-256 of each inline script Framework wrote
//   (no 'unsafe-inline'), 'wasm-unsafe-eval' so tfjs's WebAssembly backend can compile its .wasm, pictures from
//   data: and blob: URLs (uploaded photos, canvases). Styles keep 'unsafe-inline': Plot and htl set style
//   attributes. No 'unsafe-eval', except on the Dataset explorer, where Arquero compiles its table expressions
//   with Function() (even escaped ones), see PAGE_EXTRAS;
// - lang="en" on <html>, and a viewport that lets the reader zoom (Framework's says maximum-scale=1);
// - Framework's sidebar made valid for assistive technology: the toggle gets a name, the navigation a unique
//   label, and the close button (a <label>) moves out of the <ol> that may only hold list items.

import crypto from "node:crypto";

/** Script sources a page needs beyond the policy's, by page path under the site root, and why. */
export const PAGE_EXTRAS: Record<string, {scriptSrc: string[]; why: string}> = {
  "pages/dataset.html": {scriptSrc: ["'unsafe-eval'"], why: "Arquero compiles its table expressions (derive, groupby) with Function()"}
};

/** The policy for a page whose inline scripts have these texts. */
export function contentSecurityPolicy(inlineScripts: string[], {extraScriptSrc = []}: {extraScriptSrc?: string[]} = {}): string {
  const hashes = [...new Set(inlineScripts.map((text) => `'sha256-${crypto.createHash("sha256").update(text, "utf8").digest("base64")}'`))];
  return [
    "default-src 'self'",
    `script-src 'self' ${[...hashes, "'wasm-unsafe-eval'", ...extraScriptSrc].join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'"
  ].join("; ");
}

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

/** One built page with its policy, language and zoomable viewport; throws when the page is not Framework's. */
export function hardenPage(html: string, {extraScriptSrc = [], file = "page"}: {extraScriptSrc?: string[]; file?: string} = {}): string {
  if (!/<head>/.test(html) || !/<html[\s>]/.test(html)) throw new Error(`${file}: no <html> and <head>, expected a page built by observable build`);
  const scripts = [...html.matchAll(INLINE_SCRIPT)].map((match) => match[1]);
  const policy = contentSecurityPolicy(scripts, {extraScriptSrc});
  return html
    .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n?/g, "")
    .replace(/<html(?![^>]*\blang=)([^>]*)>/, '<html lang="en"$1>')
    .replace(/(<meta name="viewport" content="[^"]*?),\s*maximum-scale=1(\.0)?/, "$1")
    .replace('<input id="observablehq-sidebar-toggle" type="checkbox" title="Toggle sidebar">', '<input id="observablehq-sidebar-toggle" type="checkbox" title="Toggle sidebar" aria-label="Show or hide the list of pages">')
    .replace(/<nav id="observablehq-sidebar">(\s*)<ol>\s*(<label id="observablehq-sidebar-close"[^>]*><\/label>)/, '<nav id="observablehq-sidebar" aria-label="Pages">$1$2$1<ol>')
    .replace("<head>", `<head>\n<meta http-equiv="Content-Security-Policy" content="${policy}">`);
}
