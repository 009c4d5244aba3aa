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
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../tests/support/edge.mjs';
import { figure } from './support/bench.mjs';
import { shipped } from './support/tracker-files.mjs';
import { signalCounts, TRACKERS, UMAMI } from './support/trackers.mjs';

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
