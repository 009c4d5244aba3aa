#!/usr/bin/env node
// `make dev` (after the build): the edge under `wrangler dev` plus the demo site, ready to click.
//
//   node scripts/dev.mjs        # TACIT_EDGE_PORT (8787) and TACIT_DEMO_PORT (8788) move them
//
// State lives in git-ignored files, so a restart keeps the counts and the tokens:
//   .dev.vars              ADMIN_TOKEN=..., SALT_KEY=...  (made on first run; wrangler reads it)
//   .data/                 wrangler's storage (--persist-to)
//   .data/demo-site.json   the demo site's viewer and auditor tokens
// Delete .data/ to start from scratch.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serveDemo } from '../www/serve-demo.mjs';
import {
  apiRequest, createSite, LOCAL_HOSTNAMES, randomToken, REPO_ROOT, startEdge,
} from '../tests/support/edge.mjs';

const EDGE_PORT = Number(process.env.TACIT_EDGE_PORT ?? 8787);
const DEMO_PORT = Number(process.env.TACIT_DEMO_PORT ?? 8788);
const DATA_DIR = path.join(REPO_ROOT, '.data');
const DEV_VARS = path.join(REPO_ROOT, '.dev.vars');
const DEMO_SITE_FILE = path.join(DATA_DIR, 'demo-site.json');
const SITE = 'demo';

/**
 * The secret `name` from .dev.vars, added to it (or to a new, owner-only file) when missing.
 * wrangler reads the file itself, so the secrets stay off the command line.
 */
async function devSecret(name) {
  let vars = '';
  try {
    vars = await readFile(DEV_VARS, 'utf8');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const found = vars.match(new RegExp(`^\\s*${name}\\s*=\\s*["']?([^"'\\s#]+)`, 'm'));
  if (found) return found[1];

  const secret = randomToken();
  const separator = vars && !vars.endsWith('\n') ? '\n' : '';
  await writeFile(DEV_VARS, `${vars}${separator}${name}=${secret}\n`, { mode: 0o600 });
  console.log(`wrote a new ${name} to ${path.relative(REPO_ROOT, DEV_VARS)}`);
  return secret;
}

/** The demo site's `{ id, viewer_token, auditor_token }`, created on first run; null if it cannot be known. */
async function demoSite(edge, token) {
  try {
    return JSON.parse(await readFile(DEMO_SITE_FILE, 'utf8'));
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    // A funnel to show: the visits that go from the home page to pricing and on to the docs.
    const funnels = [{ name: 'Home to docs', steps: ['/', '/pricing.html', '/docs.html'] }];
    const site = await createSite(edge.url, token, SITE, { funnels });
    await writeFile(DEMO_SITE_FILE, `${JSON.stringify(site, null, 2)}\n`, { mode: 0o600 });
    return site;
  } catch (err) {
    if (err.status !== 409) throw err;
    // The edge knows the site but its viewer token is only stored as a hash there.
    console.warn(`site "${SITE}" exists but ${path.relative(REPO_ROOT, DEMO_SITE_FILE)} is missing, `
      + 'so its viewer token is unknown. To reset: stop this, delete .data/ and run make dev again.');
    return null;
  }
}

/**
 * Makes sure the demo site accepts beacons from the demo pages (localhost), also when it was
 * created before sites had allowed hostnames. Leaves any other hostnames in place.
 */
async function allowLocalHostnames(edge, token) {
  const target = `/api/v1/sites/${SITE}`;
  const res = await apiRequest(edge.url, 'GET', target, { token });
  if (res.status !== 200) throw new Error(`GET ${target} answered ${res.status}: ${await res.text()}`);
  const { settings } = await res.json();
  const missing = LOCAL_HOSTNAMES.filter((host) => !settings.hostnames.includes(host));
  if (missing.length === 0) return;
  const patch = await apiRequest(edge.url, 'PATCH', target, {
    token, body: { hostnames: [...settings.hostnames, ...missing] },
  });
  if (patch.status !== 200) throw new Error(`PATCH ${target} answered ${patch.status}: ${await patch.text()}`);
  console.log(`the ${SITE} site now also accepts beacons from ${missing.join(', ')}`);
}

await mkdir(DATA_DIR, { recursive: true });
const token = await devSecret('ADMIN_TOKEN');
// Seals the daily salts at rest; a new one would make today's stored salt unreadable.
await devSecret('SALT_KEY');
// In a process group of its own, so that Ctrl-C reaches this process alone, which stops the
// rest in order below. When the terminal's signal reached them all at once, this process also
// sent wrangler a SIGTERM in the middle of its teardown and exited as soon as wrangler had,
// while esbuild and workerd could still be stopping and printing (an esbuild left waiting on
// its parent can print a Go "all goroutines are asleep - deadlock!" trace).
const edge = await startEdge({
  persistDir: DATA_DIR,
  port: EDGE_PORT,
  adminToken: token,
  secretsInDevVars: true,
  echo: true,
  ownProcessGroup: true,
});
let demo;
let stopping = false;

/**
 * Stops the demo site, then wrangler, esbuild and workerd (each gets the SIGINT a terminal
 * would send), waits until every one of them has exited, and exits: nothing prints after the
 * shell's prompt.
 */
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await demo?.close();
  await edge.stop();
  console.log('\ntacit stopped');
  process.exit(code);
}
// A second Ctrl-C while stopping changes nothing: stop() kills what is left after 10 s.
// SIGHUP (the terminal closed) no longer reaches wrangler's own process group by itself.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => shutdown(0));
// If wrangler dies on its own, there is nothing left to serve the demo site against.
edge.exited.then((status) => {
  if (stopping) return;
  console.error(`wrangler dev exited (${status})`);
  shutdown(1);
});

try {
  demo = await serveDemo({ port: DEMO_PORT, edge: edge.url, site: SITE });
  const site = await demoSite(edge, token);
  await allowLocalHostnames(edge, token);
  // 127.0.0.1 and localhost are different origins, as a real site and its analytics would be.
  const lines = [
    ['demo site', demo.url.replace('127.0.0.1', 'localhost')],
    ['summary page', site ? `${edge.url}/s/${SITE}?key=${site.viewer_token}` : 'viewer token unknown (see above)'],
    ['pages API', site ? `${edge.url}/api/v1/sites/${SITE}/pages?key=${site.viewer_token}` : 'viewer token unknown'],
    ['privacy page', site?.auditor_token ? `${edge.url}/privacy/${SITE}?key=${site.auditor_token}` : 'auditor token unknown'],
  ];
  console.log(`\ntacit is running (Ctrl-C stops it):\n${lines.map(([k, v]) => `  ${k.padEnd(13)} ${v}`).join('\n')}\n`);
} catch (err) {
  console.error(err);
  await shutdown(1);
}
