#!/usr/bin/env node
// tacit's snippet next to the trackers a site owner would pick instead, measured the same way:
// the bytes a site ships for each (scripts/support/trackers.mjs says which files and why), raw,
// gzip -9 and brotli (quality 11), all with node's zlib, and the signals each captures (a table
// read from each tracker's source, in the same module).
//
//   node scripts/bench-trackers.mjs        # after `make build` (tacit's files) and `npm ci`
//
// Prints tracker_<id>_{raw,gzip,brotli}_bytes, tracker_<id>_files, tracker_<id>_version and
// tracker_<id>_signals_{on,with_options}. A tracker shipped as several files (tacit: loader and
// WebAssembly) is compressed one file at a time, as a server sends them, and summed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { REPO_ROOT } from '../tests/support/edge.mjs';
import { figure } from './support/bench.mjs';
import { signalCounts, TRACKERS, UMAMI } from './support/trackers.mjs';

/** esbuild as a site's production build would run it (the settings of www/build.mjs). */
const MINIFY = { minify: true, target: 'es2020', legalComments: 'none' };

/** The files matching `pattern`, relative to the repo root; `*` only in the last part. */
function glob(pattern) {
  const dir = path.join(REPO_ROOT, path.dirname(pattern));
  const base = path.basename(pattern);
  if (!base.includes('*')) return [path.join(dir, base)];
  const [prefix, suffix] = base.split('*');
  const found = readdirSync(dir).filter((name) => name.startsWith(prefix) && name.endsWith(suffix));
  if (found.length === 0) throw new Error(`nothing matches ${pattern}: run make build first`);
  return found.map((name) => path.join(dir, name));
}

/** A site's bundle of `entry` (an ES module importing the tracker), as one iife script. */
async function bundle(entry) {
  const result = await build({
    stdin: { contents: entry, resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
    ...MINIFY,
  });
  return result.outputFiles[0].contents;
}

/** Umami's tracker source from the pinned tarball, minified; see UMAMI for why not installed. */
async function umamiTracker() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tacit-umami-'));
  try {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', UMAMI.spec, '--json', '--pack-destination', dir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    if (packed.integrity !== UMAMI.integrity) {
      throw new Error(`${UMAMI.spec}: checksum ${packed.integrity}, expected ${UMAMI.integrity}`);
    }
    const source = execFileSync('tar', ['-xzOf', path.join(dir, packed.filename), UMAMI.tracker], { encoding: 'utf8' });
    const { code } = await transform(source, { loader: 'js', ...MINIFY });
    return Buffer.from(code);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bytes a site ships for `tracker`: one buffer per transfer. */
async function shipped(tracker) {
  if (tracker.ship.files) return tracker.ship.files.flatMap(glob).map((file) => readFileSync(file));
  if (tracker.ship.bundle) return [await bundle(tracker.ship.bundle)];
  return [await umamiTracker()];
}

function version(tracker) {
  if (!tracker.package) return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  if (tracker.package === 'umami') return UMAMI.spec.split('@')[1];
  const manifest = path.join(REPO_ROOT, 'node_modules', tracker.package, 'package.json');
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

const sum = (buffers, size) => buffers.reduce((total, bytes) => total + size(bytes), 0);
const brotli = (bytes) => brotliCompressSync(bytes, {
  params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
}).length;

for (const tracker of TRACKERS) {
  const files = await shipped(tracker);
  const counts = signalCounts(tracker.id);
  const prefix = `tracker_${tracker.id}`;
  figure(`${prefix}_version`, version(tracker));
  figure(`${prefix}_files`, files.length);
  figure(`${prefix}_raw_bytes`, sum(files, (bytes) => bytes.length));
  figure(`${prefix}_gzip_bytes`, sum(files, (bytes) => gzipSync(bytes, { level: 9 }).length));
  figure(`${prefix}_brotli_bytes`, sum(files, brotli));
  figure(`${prefix}_signals_on`, counts.on);
  figure(`${prefix}_signals_with_options`, counts.withOptions);
}
