// The edge's production bundle as `make deploy` would upload it, built by `wrangler deploy
// --dry-run` (no account needed), beside the Workers plans' size limits (compressed, as
// Cloudflare counts them: 3 MB on Free, 10 MB on Paid). Prints name=value lines for make bench.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = mkdtempSync(path.join(tmpdir(), 'tacit-bundle-'));
try {
  const out = execFileSync(path.join(root, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '--outdir', outdir], { cwd: root, encoding: 'utf8' });
  // wrangler's own line: "Total Upload: 2248.81 KiB / gzip: 827.52 KiB".
  const match = out.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/);
  if (!match) throw new Error(`no upload size in wrangler's output:\n${out}`);
  const kib = (text) => Math.round(Number(text) * 1024);
  console.log(`edge_bundle_bytes=${kib(match[1])}`);
  console.log(`edge_bundle_gz_bytes=${kib(match[2])}`);
  console.log(`edge_bundle_free_limit_gz_bytes=${3 * 1024 * 1024}`);
  console.log(`edge_bundle_paid_limit_gz_bytes=${10 * 1024 * 1024}`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
