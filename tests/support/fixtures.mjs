// Shared set-up and assertions for the end-to-end test files.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { botBrowser, SCREENS } from './browser.mjs';
import { createSite, pages, REPO_ROOT, startEdge } from './edge.mjs';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/**
 * One edge for the calling test file: started with empty storage and the site `demo` before its
 * tests, stopped after them even when they fail, its output kept in test-results/ to debug with.
 * The returned object is filled in by the time the tests run: `edge` (see startEdge),
 * `site` ({ id, viewer_token, auditor_token, settings }), `persistDir`, `pages(range)`,
 * `restart({ vars, crash, whileStopped })`. `settings` are the site's settings (default: the local
 * hostnames allowed).
 */
export function useEdge({ site = 'demo', settings } = {}) {
  const env = {
    pages: (range) => pages(env.edge.url, site, env.site.viewer_token, range),
    // Same storage and admin token, new process: what survives is what was persisted.
    // `vars` as for startEdge, e.g. a clock offset; `crash` kills the edge with SIGKILL
    // instead of stopping it; `whileStopped` runs between the stop and the start (to change
    // the storage as a fault would).
    restart: async ({ vars, crash = false, whileStopped } = {}) => {
      await saveOutput();
      await (crash ? env.edge.kill() : env.edge.stop());
      await whileStopped?.();
      const { adminToken, saltKey } = env.edge;
      env.edge = await startEdge({ persistDir: env.persistDir, adminToken, saltKey, vars });
    },
  };
  const testFile = path.basename(process.argv[1] ?? 'edge', '.test.mjs');
  let starts = 0;
  const saveOutput = async () => {
    if (!env.edge) return;
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(path.join(RESULTS_DIR, `${testFile}.wrangler-${++starts}.log`), env.edge.output());
  };

  before(async () => {
    env.persistDir = await mkdtemp(path.join(os.tmpdir(), 'tacit-e2e-'));
    env.edge = await startEdge({ persistDir: env.persistDir });
    env.site = await createSite(env.edge.url, env.edge.adminToken, site, settings);
  });
  after(async () => {
    await saveOutput();
    await env.edge?.stop();
    if (env.persistDir) await rm(env.persistDir, { recursive: true, force: true });
  });
  return env;
}

/** `{ path: { views, visitors } }` for a pages API answer, so one deepEqual covers every row. */
export function countsByPath(result) {
  return Object.fromEntries(result.pages.map(({ path, views, visitors }) => [path, { views, visitors }]));
}

/** The totals of a pages API answer, without any fields added later. */
export const totals = ({ totals: { views, visitors } }) => ({ views, visitors });

/**
 * Asserts an error answer: the status, and a JSON body `{"error": "<some message>"}`.
 * `what` names the request in the failure message when the URL alone does not.
 */
export async function assertJsonError(res, status, what = res.url) {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text);
  assert.equal(typeof body.error, 'string');
  assert.ok(body.error.length > 0, 'the error message is empty');
}

/**
 * Runs `check(page, name)` once per screen of SCREENS (desktop, phone), each in a fresh context
 * of a bot browser sized to it; RESULTS_DIR exists for the screenshots `check` takes.
 */
export async function atEachScreen(check) {
  const browser = await botBrowser();
  try {
    await mkdir(RESULTS_DIR, { recursive: true });
    for (const [name, viewport] of SCREENS) {
      const context = await browser.newContext({ viewport });
      try {
        await check(await context.newPage(), name);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
}
