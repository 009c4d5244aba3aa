// What the benchmark scripts share (scripts/load.mjs, loss-on-kill.mjs, bench-edge.mjs,
// bench-report.mjs): a bounded load loop, the beacon they send, the edge's processes and their
// CPU time, and the `name=value` lines every figure is printed as.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Sends `requests` requests with `concurrency` in flight (a closed loop: each client sends its
 * next request when the last one is answered) and returns the throughput and latency quantiles.
 * `send(n)` makes request number n and resolves to its Response; the body is read, so the time
 * is the full answer's. `latencies` (ms) are returned too, for merging runs.
 */
export async function closedLoop({ requests, concurrency, send }) {
  const latencies = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, async () => {
    while (next < requests) {
      const n = next++;
      const t0 = performance.now();
      const res = await send(n);
      await res.arrayBuffer();
      if (res.status >= 300) failed += 1;
      latencies.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { requests, seconds, rps: requests / seconds, failed, latencies, ...quantiles(latencies) };
}

/** Median, 95th and 99th percentile of `samples` (milliseconds), by the nearest rank. */
export function quantiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** `n` written with the letters a–z (0 → "a", 26 → "ba"): page names the path scrubber keeps. */
export function letters(n) {
  let text = '';
  do {
    text = String.fromCharCode(97 + (n % 26)) + text;
    n = Math.floor(n / 26);
  } while (n > 0);
  return text;
}

/**
 * POSTs page view number `n` to `site`: one of `paths` pages, from visitor `n / perVisitor`
 * (a distinct user agent, so the site's visitor sketch grows as on a busy site).
 */
export function loadBeacon(edgeUrl, site, n, { paths = 100, perVisitor = 1 } = {}) {
  return fetch(`${edgeUrl}/e`, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/plain',
      'User-Agent': `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Load/${Math.floor(n / perVisitor)}`,
    },
    body: JSON.stringify({ site, path: `/page-${letters(n % paths)}` }),
  });
}

/** Limits high enough that a benchmark measures the edge, not its rate limiter. */
export const UNLIMITED = { visitor_beacons_per_minute: 10_000_000, site_beacons_per_minute: 10_000_000 };

export { processTree } from '../../tests/support/edge.mjs';

/**
 * CPU seconds (user + system) that the processes `pids` have used so far, from /proc (Linux).
 * The kernel counts in clock ticks of 1/100 s (USER_HZ, 100 on every Linux architecture).
 */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      // The process has exited: its time is no longer readable.
    }
  }
  return ticks / 100;
}

const BEACONS_LUA = path.join(import.meta.dirname, 'beacons.lua');
const PACED_BEACONS_LUA = path.join(import.meta.dirname, 'paced-beacons.lua');

/**
 * Runs `wrk` (Debian's, not a Node client that would take the CPU it measures) against the
 * edge at `edgeUrl` for `seconds` with `connections` open, and returns throughput, latency
 * quantiles (ms) and the CPU time the processes `pids` spent per request (ms).
 * `route` is `/e` (page views, see scripts/support/beacons.lua: each from a new visitor, to
 * sites `<sitePrefix>0..<sites - 1>` and `paths` distinct paths), `/yardstick` (the same
 * requests to a route that only answers 202), or `GET` with `target` (a path and query) and
 * `headers`: a read, timed the same way. With `paceMs`, each connection waits that long after
 * each answer (scripts/support/paced-beacons.lua): latency at a load below saturation.
 */
export function wrk(edgeUrl, {
  route, seconds, connections = 1, sitePrefix = 'load', sites = 1, paths = 100, target = '/',
  headers = {}, pids = [], paceMs,
}) {
  const threads = String(Math.min(connections, 2));
  const script = paceMs ? PACED_BEACONS_LUA : BEACONS_LUA;
  const args = ['-t', threads, '-c', String(connections), '-d', `${seconds}s`, '-s', script];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(`${edgeUrl}${route === 'GET' ? target : ''}`, '--', route, sitePrefix, String(sites), String(paths));
  if (paceMs) args.push(String(paceMs));
  const cpuBefore = cpuSeconds(pids);
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const cpu = cpuSeconds(pids) - cpuBefore;
  const f = Object.fromEntries(Object.entries(parseFigures(out)).map(([name, value]) => [name, Number(value)]));
  return {
    requests: f.requests,
    seconds: f.seconds,
    rps: f.requests / f.seconds,
    failed: f.failed,
    p50: f.p50_ms,
    p95: f.p95_ms,
    p99: f.p99_ms,
    cpuMsPerRequest: (cpu * 1000) / f.requests,
  };
}

/** Prints a figure the way every bench does, one `name=value` line on stdout. */
export function figure(name, value) {
  console.log(`${name}=${value}`);
}

/** Parses `name=value` lines (other lines are ignored) into an object of strings. */
export function parseFigures(text) {
  const figures = {};
  for (const line of text.split('\n')) {
    const match = /^([a-z][a-z0-9_]*)=(\S.*)$/.exec(line.trim());
    if (match) figures[match[1]] = match[2];
  }
  return figures;
}

/**
 * Runs `command args` with stderr passed through, echoes its stdout as it comes and resolves
 * to that stdout; rejects if it exits non-zero.
 */
export function runEchoed(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve(out)
      : reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`))));
  });
}
