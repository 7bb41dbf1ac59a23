// A tiny static file server for a built site (dist/) on 127.0.0.1, so the end-to-end tests and the browser
// bench see the site exactly as a static host would serve it (Framework's preview server would rebuild pages).

import {createReadStream, existsSync, statSync} from "node:fs";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {extname, join, normalize, resolve, sep} from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".ico": "image/x-icon"
};

export interface StaticServer {
  /** "http://127.0.0.1:PORT", no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

/** Framework's clean URLs: /pages/dataset is dist/pages/dataset.html, / is dist/index.html. */
function filePathFor(root: string, urlPath: string): string | undefined {
  const decoded = decodeURIComponent(urlPath);
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  const options = decoded.endsWith("/") ? [join(candidate, "index.html")] : [candidate, `${candidate}.html`];
  return options.find((path) => existsSync(path) && statSync(path).isFile());
}

/** Serves `root` (a built dist/ folder) on 127.0.0.1 and an ephemeral port. */
export async function serveStatic(root: string, {port = 0}: {port?: number} = {}): Promise<StaticServer> {
  const rootPath = resolve(root);
  if (!existsSync(join(rootPath, "index.html"))) throw new Error(`no index.html in ${rootPath}: build the site first`);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = filePathFor(rootPath, url.pathname);
    if (!path) {
      const notFound = join(rootPath, "404.html");
      response.writeHead(404, {"content-type": CONTENT_TYPES[".html"]});
      if (existsSync(notFound)) createReadStream(notFound).pipe(response);
      else response.end("not found");
      return;
    }
    response.writeHead(200, {"content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream"});
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", done);
  });
  const {port: boundPort} = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${boundPort}`,
    close: () => new Promise<void>((done) => server.close(() => done()))
  };
}
