// The bytes a site ships for each tracker of trackers.mjs, obtained as its `ship` says: files
// as they are, a site's entry module bundled by esbuild, or Umami's tracker source minified.
// Used for the trackers' sizes (scripts/bench-trackers.mjs) and start-up (scripts/bench-snippet.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, transform } from 'esbuild';
import { REPO_ROOT } from '../../tests/support/edge.mjs';
import { UMAMI } from './trackers.mjs';

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
export async function bundle(entry) {
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
export async function umamiTracker() {
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
export async function shipped(tracker) {
  if (tracker.ship.files) return tracker.ship.files.flatMap(glob).map((file) => readFileSync(file));
  if (tracker.ship.bundle) return [await bundle(tracker.ship.bundle)];
  return [await umamiTracker()];
}
