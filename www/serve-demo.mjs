#!/usr/bin/env node
// Serves the demo site (or pages a test generates) with the tacit snippet pointed at an edge.
//
//   node www/serve-demo.mjs --port 8788 --edge http://127.0.0.1:8787 [--site demo] [--host 127.0.0.1]
//
// In .html files the placeholders {{EDGE}} and {{SITE}} become the edge URL and the site id, so
// the same pages work against any edge a test or `make dev` starts.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const DEMO_ROOT = fileURLToPath(new URL('./demo/', import.meta.url));

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves the files under `root`. Resolves to `{ url, close() }` once listening. */
export function serveDemo({ root = DEMO_ROOT, ...options } = {}) {
  return listen(options, (file) => readFile(path.join(root, file)));
}

/**
 * Serves in-memory pages, keyed by file path: `{ 'index.html': '<!doctype html>...' }`
 * answers `/` and `/index.html`. Same placeholders and rules as `serveDemo`.
 */
export function serveHtml(pages, options = {}) {
  return listen(options, async (file) => {
    if (!Object.hasOwn(pages, file)) throw Object.assign(new Error(file), { code: 'ENOENT' });
    return Buffer.from(pages[file]);
  });
}

async function listen({ port = 0, host = '127.0.0.1', edge, site = 'demo' }, load) {
  if (!edge) throw new Error('serveDemo: `edge` (the edge base URL) is required');
  const vars = { EDGE: escapeHtml(edge.replace(/\/+$/, '')), SITE: escapeHtml(site) };

  const server = http.createServer(async (req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');

    const file = fileFor(req.url);
    if (file === null) return send(403, 'forbidden\n');
    try {
      let body = await load(file);
      const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      if (type.startsWith('text/html')) {
        body = body.toString('utf8').replace(/\{\{(EDGE|SITE)\}\}/g, (_, name) => vars[name]);
      }
      send(200, body, type);
    } catch (err) {
      // EISDIR: a directory asked for without its trailing slash.
      if (err.code === 'ENOENT' || err.code === 'EISDIR') return send(404, 'not found\n');
      send(500, 'internal error\n');
      console.error(err);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address();
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostInUrl}:${bound}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * Maps a request target to a relative file path, or null when it tries to leave the root.
 * Works on the raw, still-encoded target: WHATWG URL parsing would quietly resolve `/../` and
 * `%2e%2e` away, hiding the attempt, while `..%2f` only shows up after decoding.
 */
function fileFor(target) {
  let decoded;
  try {
    decoded = decodeURIComponent(target.split(/[?#]/)[0]);
  } catch {
    return null; // malformed percent-encoding
  }
  const segments = decoded.split(/[/\\]/);
  if (decoded.includes('\0') || segments.includes('..')) return null;
  const file = path.posix.normalize(segments.filter(Boolean).join('/'));
  if (file === '.' || decoded.endsWith('/')) return path.posix.join(file, 'index.html');
  return file;
}

function escapeHtml(text) {
  const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return String(text).replace(/[&<>"']/g, (c) => entities[c]);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8788' },
      host: { type: 'string', default: '127.0.0.1' },
      edge: { type: 'string', default: 'http://127.0.0.1:8787' },
      site: { type: 'string', default: 'demo' },
      root: { type: 'string', default: DEMO_ROOT },
    },
  });
  const server = await serveDemo({ ...values, port: Number(values.port) });
  console.log(`demo site on ${server.url} (snippet → ${values.edge}, site "${values.site}")`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => server.close().then(() => process.exit(0)));
  }
}
