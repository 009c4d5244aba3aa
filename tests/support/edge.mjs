// Runs the edge worker under `wrangler dev` and talks to its HTTP API.
// Used by the end-to-end tests and by scripts/dev.mjs (`make dev`).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkResponse } from './openapi.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = path.join(REPO_ROOT, 'node_modules/.bin/wrangler');
const WITHOUT_DEVTOOLS = path.join(REPO_ROOT, 'scripts/support/edge-without-devtools.mjs');
const KEPT_OUTPUT_CHARS = 1_000_000;

/** A non-2xx answer from the edge; `status` and `body` say what it was. */
export class HttpError extends Error {
  constructor(request, status, body) {
    super(`${request} answered ${status}: ${body}`);
    this.status = status;
    this.body = body;
  }
}

export const randomToken = () => randomBytes(24).toString('hex');

/** Today's date in UTC as YYYY-MM-DD: the edge buckets by UTC day. */
export const todayUtc = () => new Date().toISOString().slice(0, 10);

/**
 * Starts `wrangler dev` from the repo root on `port` (by default one the system picks) and
 * resolves once `GET /healthz` answers 200; `url` is where it listens.
 *
 * The admin token and the salt-sealing key are passed with `--var` (they win over a
 * developer's .dev.vars), unless `secretsInDevVars` says wrangler reads them from .dev.vars
 * itself, which keeps them off the command line. A restart on the same storage must pass the
 * same `saltKey`, or today's stored salt no longer opens and today's visitors count again. `echo` copies wrangler's output to this process's stdout/stderr. `vars` are
 * more `--var NAME:value` pairs, such as `{ TACIT_CLOCK_OFFSET_MS: 86_400_000 }` to run the
 * edge's clock a day ahead. `stop()` ends it in order (SIGTERM), `kill()` as a crash would.
 * `devtools: false` runs it without wrangler's devtools inspector (the benchmarks: see
 * scripts/support/edge-without-devtools.mjs), with the secrets passed as vars.
 * `ownProcessGroup` starts wrangler in a process group of its own (`make dev`): a terminal's
 * Ctrl-C then reaches only the calling process, and `stop()` sends that group the SIGINT a
 * terminal would, so that wrangler, esbuild and workerd each stop by their own signal, none
 * left to find its parent gone, and returns once every one of them has exited.
 */
export async function startEdge({
  persistDir,
  port,
  adminToken = randomToken(),
  saltKey = randomToken(),
  secretsInDevVars = false,
  vars = {},
  echo = false,
  devtools = true,
  ownProcessGroup = false,
  timeoutMs = 60_000,
} = {}) {
  if (!persistDir) throw new Error('startEdge: `persistDir` is required');

  // Without a `port`, port 0: workerd binds a free one and wrangler announces it. A port found
  // free beforehand and handed over is a race: wrangler binds several sockets of its own on
  // ports the system picks, and one of them can take it first (then wrangler exits, "Address
  // already in use"). The devtools port likewise: wrangler's default, 9229, is taken by any
  // other running edge.
  const args = devtools
    ? ['dev', '--ip', '127.0.0.1', '--port', String(port ?? 0), '--persist-to', persistDir,
      '--inspector-port', '0', '--show-interactive-dev-session=false']
    : [WITHOUT_DEVTOOLS, '--port', String(port ?? 0), '--persist-to', persistDir];
  if (!secretsInDevVars || !devtools) {
    args.push('--var', `ADMIN_TOKEN:${adminToken}`, '--var', `SALT_KEY:${saltKey}`);
  }
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);

  const child = spawn(devtools ? WRANGLER : process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Otherwise in the caller's process group: Ctrl-C in a terminal (`make test`) reaches
    // wrangler directly, which then stops workerd.
    detached: ownProcessGroup,
  });

  let text = '';
  for (const [stream, sink] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      if (echo) sink.write(chunk);
      text = (text + chunk).slice(-KEPT_OUTPUT_CHARS);
    });
  }
  const output = () => text;

  let exitStatus; // exit code or signal name, once wrangler has exited
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  exited.then((status) => { exitStatus = status; });
  const running = () => exitStatus === undefined;
  // wrangler passes SIGTERM on to its own child, which shuts workerd down; a group of its own
  // gets a terminal's Ctrl-C instead (see `ownProcessGroup`).
  const signalStop = () => (ownProcessGroup ? process.kill(-child.pid, 'SIGINT') : child.kill('SIGTERM'));
  const onExit = () => running() && signalStop();
  process.on('exit', onExit);

  const stop = async () => {
    process.off('exit', onExit);
    if (running()) {
      signalStop();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (ownProcessGroup) await groupExited(child.pid);
  };

  // A crash: SIGKILL to wrangler and every process below it (workerd), no shutdown of any kind.
  const kill = async () => {
    process.off('exit', onExit);
    for (const pid of processTree(child.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await exited;
  };

  let url;
  try {
    url = await waitUntilHealthy(output, () => exitStatus, timeoutMs);
  } catch (err) {
    await stop();
    const tail = text.trimEnd().split('\n').slice(-50).join('\n');
    throw new Error(`${err.message}\n--- last 50 lines of wrangler output ---\n${tail}`);
  }
  return { url, adminToken, saltKey, stop, kill, output, exited, pid: child.pid };
}

/**
 * Resolves once no process of the process group `pgid` is alive (zombies aside: whoever
 * inherited them reaps them), or after `timeoutMs`, when what is left is killed.
 */
async function groupExited(pgid, timeoutMs = 10_000) {
  const alive = () => execFileSync('ps', ['-A', '-o', 'pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some(([group, stat]) => Number(group) === pgid && !stat.startsWith('Z'));
  const deadline = Date.now() + timeoutMs;
  while (alive()) {
    if (Date.now() > deadline) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `pid` and every process below it, parents first. */
export function processTree(pid) {
  let children = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    // pgrep exits 1 when there are no children.
  }
  return [pid, ...children.flatMap((child) => processTree(Number(child)))];
}

/**
 * Resolves to the edge's URL once wrangler has announced it ("Ready on <url>" in `output()`) and
 * its `/healthz` answers 200.
 */
async function waitUntilHealthy(output, exitStatus, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let url;
  let last = 'no "Ready on" line yet';
  while (Date.now() < deadline) {
    if (exitStatus() !== undefined) {
      throw new Error(`wrangler dev exited (${exitStatus()}) before ${url ?? 'the edge'} answered /healthz`);
    }
    url ??= output().match(/Ready on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    if (url) {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return url;
        last = `status ${res.status}`;
      } catch (err) {
        last = err.cause?.code ?? err.message;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url ?? 'the edge'}/healthz did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`);
}

/** The hostnames the tests' and the demo's pages are served from. */
export const LOCAL_HOSTNAMES = ['localhost', '127.0.0.1'];

/**
 * Creates a site with the admin token; resolves to `{ id, viewer_token, auditor_token, settings }`.
 * Unless `settings` say otherwise, the site allows the local hostnames and shows rows of a single
 * visitor (k = 1), so that a test or the demo can count its own visits; real sites keep k = 5.
 */
export async function createSite(edgeUrl, adminToken, id, settings = {}) {
  return requestJson(`POST /api/v1/sites`, `${edgeUrl}/api/v1/sites`, 201, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id, hostnames: LOCAL_HOSTNAMES, k: 1, ...settings }),
  });
}

/**
 * `fetch` for the edge: every answer is checked against docs/openapi.yaml (see ./openapi.mjs),
 * and one the document does not allow rejects with what is wrong and where in the schema.
 * Resolves to the Response, whose body can still be read.
 */
export async function edgeFetch(url, init = {}) {
  return checkResponse(init.method ?? 'GET', url, await fetch(url, init));
}

/**
 * Calls the API with a bearer token (none when `token` is undefined) and a JSON body (none
 * when `body` is undefined); resolves to the fetch Response.
 */
export function apiRequest(edgeUrl, method, target, { token, body } = {}) {
  const headers = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return edgeFetch(`${edgeUrl}${target}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * Per-page counts for a date range (default: today, UTC):
 * `{ site, from, to, totals: { views, visitors }, pages: [{ path, views, visitors }] }`.
 */
export async function pages(edgeUrl, site, viewerToken, { from = todayUtc(), to = from } = {}) {
  const query = new URLSearchParams({ from, to });
  const target = `/api/v1/sites/${encodeURIComponent(site)}/pages?${query}`;
  return requestJson(`GET ${target}`, `${edgeUrl}${target}`, 200, {
    headers: { Authorization: `Bearer ${viewerToken}` },
  });
}

/**
 * POSTs a beacon to `/e` the way the snippet does (text/plain, so no CORS preflight).
 * `body` is an event object, sent as JSON, or a raw string sent as is.
 */
export function postBeacon(edgeUrl, body, headers = {}) {
  return edgeFetch(`${edgeUrl}/e`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function requestJson(label, url, expectedStatus, init) {
  const res = await edgeFetch(url, init);
  const text = await res.text();
  if (res.status !== expectedStatus) throw new HttpError(label, res.status, text);
  return JSON.parse(text);
}

/**
 * Calls `fetchFn` until `predicate(result)` holds and returns that result. Beacons are counted
 * asynchronously, so tests poll for the counts they expect instead of sleeping.
 */
export async function waitForViews(fetchFn, predicate, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fetchFn();
    if (predicate(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`still waiting after ${timeoutMs / 1000} s; last answer: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
