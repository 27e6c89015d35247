// A static file server for a built site, under a sub-path, the way GitHub Pages serves a
// project site: `/<repository>/...` maps to the site's folder, a folder serves its index.html,
// and any path that names no file gets the site's 404.html with status 404. It listens on the
// loopback address only and serves nothing outside the site's folder.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".rs": "text/plain; charset=utf-8",
  ".zip": "application/zip",
  ".pdf": "application/pdf",
};

/** The file a URL path names inside `root`, or null when it names none. */
async function resolve(root, base, pathname) {
  if (!pathname.startsWith(base)) return null;
  let rel;
  try {
    rel = decodeURIComponent(pathname.slice(base.length));
  } catch {
    return null;
  }
  const file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) return null;
  const info = await stat(file).catch(() => null);
  if (info?.isFile()) return file;
  if (info?.isDirectory()) {
    const index = join(file, "index.html");
    if ((await stat(index).catch(() => null))?.isFile()) return index;
  }
  return null;
}

/**
 * Serves `root` under `base` (which starts and ends with `/`) on 127.0.0.1. Resolves to
 * `{ origin, url, close }`, where `url` is the site's address and `close()` stops the server.
 */
export async function serve(root, base) {
  root = normalize(root);
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://localhost");
    let file = await resolve(root, base, pathname);
    let status = 200;
    if (!file) {
      status = 404;
      file = join(root, "404.html");
    }
    const body = await readFile(file).catch(() => null);
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(status, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: origin + base,
    close: () => new Promise((ok) => server.close(ok)),
  };
}
