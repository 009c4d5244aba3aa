#!/usr/bin/env node
// The edge's figures for `make bench` (BENCHMARKS.md), against a local `wrangler dev` that this
// script starts on a temporary persist dir, without wrangler's devtools inspector (see
// scripts/support/edge-without-devtools.mjs: its relay of every subrequest to Node costs more
// than the subrequest). Loopback only; every run is bounded in time.
//
//   node scripts/bench-edge.mjs [part...]   # after `make build`; needs `wrk` (make bench installs it)
//
// Parts (all by default, in this order): ingest, levels, pages, month, year, shards.
//
// Load comes from `wrk` (scripts/support/beacons.lua), not from Node, which would take the CPU
// it measures. The yardstick is `POST /yardstick`: the same requests, to a route that answers
// 202 and does nothing else, and that only an edge started with TACIT_BENCH_YARDSTICK=1 (as
// here) serves. Edge CPU is the user + system time of the edge's processes (from
// /proc) per request: what a beacon costs, whatever else the machine is doing.
//
// 1. Ingest, as the edge issue defines it: page views to 100 sites over 20 connections for
//    INGEST_SECONDS, between two yardstick runs of half as long (their mean is the baseline).
//    edge_baseline_rps, edge_ingest_rps, edge_ingest_p99_ms, edge_ingest_ratio (= ingest rate /
//    baseline rate), the CPU per request of each, and edge_ingest_counted (views the sites
//    count / beacons acknowledged). Then the same load paced to half the baseline rate, for
//    latency without saturation's queue: edge_paced_ingest_p99_ms beside the yardstick's
//    edge_paced_baseline_p99_ms.
// 2. Ingest at 1, 10 and 100 concurrent connections to one fresh site each, alternating
//    yardstick and ingest runs: edge_c<clients>_*.
// 3. Summary latency with 10, 1,000 and 10,000 distinct pages today: each site is seeded through
//    POST /e (one page view per page, at least 1,000 views), then
//    GET /api/v1/sites/<site>/summary (JSON) and GET /s/<site> (HTML) are timed one at a time.
//    A site holds at most `max_pages_per_day` distinct pages a day (default 1,000); the 10,000
//    page site raises it to 10,000. The pages stored are counted from /pages and printed.
// 4. The marketer's morning: a 30-day range over a site with 1,000 pages. Each of the 30 days
//    is seeded with the edge's clock set to that day (TACIT_CLOCK_OFFSET_MS, one restart per
//    day): a page view and a leave for every page. Then, with the real clock, one client reads
//    the 30-day summary page and API, and the yardstick, SUMMARY_SECONDS each:
//    summary_p95_ms (the HTML page), summary_api_p95_ms, and summary_vs_baseline (the page's
//    p95 / the yardstick's p95, the ratio that holds on a noisy machine); summary_segment_p95_ms,
//    the page for the mobile segment (a third of the pages' visitors are on phones), and
//    summary_segment_vs_whole, its p95 / the whole page's; and summary_cold_ms,
//    the page's first read after the restart, before any range is kept merged; summary_cpu_ms,
//    the edge's CPU per warm read of the page, beside the yardstick's (summary_baseline_cpu_ms).
// 5. A year: 365 days × 200 pages, the records stored straight into the site's shard (see
//    crates/aggregate/examples/bench_records.rs: what part 4's beacons would store, without a
//    restart per day). summary_year_rollups_ms is the first read after they are stored, whose
//    maintenance writes every week's and month's rollup; summary_year_cold_ms the first read
//    after a restart; summary_year_p95_ms the warm reads'; summary_year_uncached_ms the median
//    first read of five ranges a day or more shorter, on the warm instance (rollups, nothing
//    kept merged in memory).
// 6. Shards: part 4's 30 days × 1,000 pages stored the same way in a site of 1 shard and one of
//    64 (each visitor's records in the shard the edge would pick), read after a restart for
//    SUMMARY_SECONDS each: summary_shards1_p95_ms, summary_shards64_p95_ms, and their ratio.
//    The 10,000 pages of part 3 give summary_pages10k_p95_ms (its JSON summary's p95).
// Parts 3 to 6 end with the WebAssembly memory of the read site's largest shard's isolate, from
// the site's status (summary_pages10k_memory_mb, summary_memory_mb, summary_year_memory_mb,
// summary_shards64_memory_mb): what it grew to since the edge started, against the runtime's
// 128 MB per isolate.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSite, pages, postBeacon, REPO_ROOT, startEdge, todayUtc } from '../tests/support/edge.mjs';
import { rewriteSqlite, shardDatabase } from '../tests/support/sqlite-file.mjs';
import {
  closedLoop, figure, loadBeacon, processTree, quantiles, UNLIMITED, wrk,
} from './support/bench.mjs';

const DAY_MS = 86_400_000;
/** The edge issue's ingest load: sites, connections and seconds. */
const INGEST_SITES = 100;
const INGEST_CONNECTIONS = 20;
const INGEST_SECONDS = 20;
/** Seconds of each run at each level of concurrency, and the runs of each kind per level. */
const LEVEL_SECONDS = 4;
const LEVEL_ROUNDS = 2;
const CLIENTS = [1, 10, 100];
const PAGE_COUNTS = [10, 1_000, 10_000];
/** Distinct pages the ingest runs spread their page views over. */
const INGEST_PAGES = 100;
/** Timed reads of each summary route per site, after one untimed read. */
const SUMMARY_SAMPLES = 15;
/** Clients in flight while seeding: enough to keep the edge busy, not a measurement. */
const SEED_CONCURRENCY = 16;
/** The 30-day summary: days, pages, and seconds of reading each route. */
const RANGE_DAYS = 30;
const RANGE_PAGES = 1_000;
const SUMMARY_SECONDS = 10;
/** The year's range: days and pages. */
const YEAR_DAYS = 365;
const YEAR_PAGES = 200;
/** The many-shard site's shards. */
const MANY_SHARDS = 64;
const REFERRERS = ['news.example.com', 'www.google.com', 't.co'];

// A read goes once more when the connection it went on was closed by the edge while idle (as
// it is during a wrk run or a restart): fetch reuses idle connections and does not retry.
const fetchOnce = globalThis.fetch;
globalThis.fetch = (url, init = {}) => fetchOnce(url, init).catch((error) => {
  const idempotent = (init.method ?? 'GET') === 'GET';
  return idempotent && error.cause?.code === 'UND_ERR_SOCKET' ? fetchOnce(url, init) : Promise.reject(error);
});

const persistDir = await mkdtemp(path.join(os.tmpdir(), 'tacit-bench-'));
/** The bench's own var: the yardstick route exists only where it is set. */
const YARDSTICK = { TACIT_BENCH_YARDSTICK: 1 };
let edge = await startEdge({ persistDir, devtools: false, vars: YARDSTICK });
let edgePids = processTree(edge.pid);

/** Restarts the edge on the same storage with its clock `offsetMs` away from now. */
async function restartWithClock(offsetMs) {
  await edge.stop();
  const { adminToken, saltKey } = edge;
  edge = await startEdge({
    persistDir, adminToken, saltKey, devtools: false,
    vars: { ...YARDSTICK, TACIT_CLOCK_OFFSET_MS: offsetMs },
  });
  edgePids = processTree(edge.pid);
}

/** Views counted today over `sites`, read with their viewer tokens. */
async function countedViews(sites) {
  let views = 0;
  for (const site of sites) views += (await pages(edge.url, site.id, site.viewer_token)).totals.views;
  return views;
}

/** A `wrk` run against the edge, its CPU measured over the edge's processes. */
const run = (options) => wrk(edge.url, { pids: edgePids, ...options });

async function ingestAsTheIssueDefines() {
  const sites = [];
  for (let i = 0; i < INGEST_SITES; i += 1) {
    sites.push(await createSite(edge.url, edge.adminToken, `site${i}`, UNLIMITED));
  }
  const load = { connections: INGEST_CONNECTIONS, sitePrefix: 'site', sites: INGEST_SITES, paths: INGEST_PAGES };
  run({ ...load, route: '/e', seconds: 2 }); // warm-up: every shard opens its database
  const warmedUp = await countedViews(sites);
  const before = run({ ...load, route: '/yardstick', seconds: INGEST_SECONDS / 2 });
  const ingest = run({ ...load, route: '/e', seconds: INGEST_SECONDS });
  const after = run({ ...load, route: '/yardstick', seconds: INGEST_SECONDS / 2 });
  const counted = (await countedViews(sites)) - warmedUp;
  const baselineRps = (before.rps + after.rps) / 2;
  const baselineCpu = (before.cpuMsPerRequest + after.cpuMsPerRequest) / 2;
  console.error(`ingest: yardstick ${before.rps.toFixed(0)} and ${after.rps.toFixed(0)}/s, `
    + `ingest ${ingest.rps.toFixed(0)}/s, ${ingest.failed} failed`);
  figure('edge_ingest_sites', INGEST_SITES);
  figure('edge_ingest_connections', INGEST_CONNECTIONS);
  figure('edge_ingest_seconds', INGEST_SECONDS);
  figure('edge_baseline_rps', baselineRps.toFixed(0));
  figure('edge_baseline_p99_ms', Math.max(before.p99, after.p99).toFixed(1));
  figure('edge_baseline_cpu_ms', baselineCpu.toFixed(3));
  figure('edge_ingest_rps', ingest.rps.toFixed(0));
  figure('edge_ingest_p50_ms', ingest.p50.toFixed(1));
  figure('edge_ingest_p99_ms', ingest.p99.toFixed(1));
  figure('edge_ingest_cpu_ms', ingest.cpuMsPerRequest.toFixed(3));
  figure('edge_ingest_ratio', (ingest.rps / baselineRps).toFixed(2));
  figure('edge_ingest_cpu_ratio', (baselineCpu / ingest.cpuMsPerRequest).toFixed(2));
  figure('edge_ingest_counted', `${counted}/${ingest.requests - ingest.failed}`);

  // Latency without saturation's queue: every connection paced so that together they offer
  // half the baseline rate, for ingest and the yardstick alike.
  const paceMs = Math.round((1000 * INGEST_CONNECTIONS) / (baselineRps / 2));
  const paced = run({ ...load, route: '/e', seconds: INGEST_SECONDS / 2, paceMs });
  const pacedYardstick = run({ ...load, route: '/yardstick', seconds: INGEST_SECONDS / 2, paceMs });
  console.error(`paced at ${paceMs} ms per connection: ingest ${paced.rps.toFixed(0)}/s, `
    + `yardstick ${pacedYardstick.rps.toFixed(0)}/s, ${paced.failed} failed`);
  figure('edge_paced_ms', paceMs);
  figure('edge_paced_ingest_rps', paced.rps.toFixed(0));
  figure('edge_paced_ingest_p50_ms', paced.p50.toFixed(1));
  figure('edge_paced_ingest_p99_ms', paced.p99.toFixed(1));
  figure('edge_paced_baseline_rps', pacedYardstick.rps.toFixed(0));
  figure('edge_paced_baseline_p99_ms', pacedYardstick.p99.toFixed(1));
  // Node's pooled connection to the edge sat idle through the paced runs, longer than the edge
  // keeps an idle connection open, and the next request on it fails ("other side closed"): one
  // throwaway request takes it out of the pool, so that the next part starts on a new one.
  await fetch(`${edge.url}/healthz`).then((res) => res.arrayBuffer(), () => {});
}

async function ingestByConcurrency() {
  figure('edge_level_seconds', LEVEL_SECONDS * LEVEL_ROUNDS);
  for (const clients of CLIENTS) {
    const site = await createSite(edge.url, edge.adminToken, `level${clients}-0`, UNLIMITED);
    const load = { connections: clients, sitePrefix: `level${clients}-`, sites: 1, paths: INGEST_PAGES };
    const runs = { baseline: [], ingest: [] };
    for (let round = 0; round < LEVEL_ROUNDS; round += 1) {
      runs.baseline.push(run({ ...load, route: '/yardstick', seconds: LEVEL_SECONDS }));
      runs.ingest.push(run({ ...load, route: '/e', seconds: LEVEL_SECONDS }));
    }
    const [baseline, ingest] = [runs.baseline, runs.ingest].map(combined);
    const counted = await countedViews([site]);
    console.error(`${clients} clients: yardstick ${baseline.rps.toFixed(0)}/s, ingest ${ingest.rps.toFixed(0)}/s, `
      + `${ingest.failed} failed, ${counted} counted`);
    const prefix = `edge_c${clients}`;
    figure(`${prefix}_baseline_rps`, baseline.rps.toFixed(0));
    figure(`${prefix}_baseline_p99_ms`, baseline.p99.toFixed(1));
    figure(`${prefix}_baseline_cpu_ms`, baseline.cpuMsPerRequest.toFixed(3));
    figure(`${prefix}_ingest_rps`, ingest.rps.toFixed(0));
    figure(`${prefix}_ingest_p50_ms`, ingest.p50.toFixed(1));
    figure(`${prefix}_ingest_p99_ms`, ingest.p99.toFixed(1));
    figure(`${prefix}_ingest_cpu_ms`, ingest.cpuMsPerRequest.toFixed(3));
    figure(`${prefix}_ingest_ratio`, (ingest.rps / baseline.rps).toFixed(2));
    figure(`${prefix}_ingest_counted`, `${counted}/${ingest.requests - ingest.failed}`);
  }
}

/**
 * Runs of one kind taken together: rates and CPU over all requests; for latency quantiles,
 * the worst run's (wrk reports quantiles per run, not the samples).
 */
function combined(runs) {
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const worst = (q) => Math.max(...runs.map((r) => r[q]));
  return {
    requests,
    rps: requests / seconds,
    failed: runs.reduce((sum, r) => sum + r.failed, 0),
    cpuMsPerRequest: runs.reduce((sum, r) => sum + r.cpuMsPerRequest * r.requests, 0) / requests,
    p50: worst('p50'),
    p99: worst('p99'),
  };
}

async function summaryByPageCount() {
  figure('edge_summary_samples', SUMMARY_SAMPLES);
  for (const pageCount of PAGE_COUNTS) {
    const id = `pages${pageCount}`;
    const settings = pageCount > 1_000 ? { ...UNLIMITED, max_pages_per_day: pageCount } : UNLIMITED;
    const site = await createSite(edge.url, edge.adminToken, id, settings);
    const views = Math.max(pageCount, 1_000);
    const seeded = await closedLoop({
      requests: views,
      concurrency: SEED_CONCURRENCY,
      send: (n) => loadBeacon(edge.url, id, n, { paths: pageCount }),
    });
    const stored = (await pages(edge.url, id, site.viewer_token)).pages
      .filter((page) => page.path !== '(other)').length;
    console.error(`${id}: ${views} views seeded in ${seeded.seconds.toFixed(1)} s (${seeded.failed} failed), `
      + `${stored} pages stored`);

    const today = todayUtc();
    const routes = {
      api: () => fetch(`${edge.url}/api/v1/sites/${id}/summary?from=${today}&to=${today}`, {
        headers: { Authorization: `Bearer ${site.viewer_token}` },
      }),
      html: () => fetch(`${edge.url}/s/${id}?key=${site.viewer_token}&from=${today}&to=${today}`),
    };
    const prefix = `edge_summary_${pageCount}`;
    figure(`${prefix}_pages_stored`, stored);
    for (const [name, get] of Object.entries(routes)) {
      const samples = [];
      let bytes = 0;
      for (let i = 0; i <= SUMMARY_SAMPLES; i += 1) {
        const t0 = performance.now();
        const res = await get();
        const body = await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${name} summary of ${id} answered ${res.status}`);
        if (i > 0) samples.push(performance.now() - t0); // the first read is not timed
        bytes = body.byteLength;
      }
      const { p50, p95 } = quantiles(samples);
      figure(`${prefix}_${name}_p50_ms`, p50.toFixed(1));
      figure(`${prefix}_${name}_p95_ms`, p95.toFixed(1));
      figure(`${prefix}_${name}_bytes`, bytes);
      if (pageCount === 10_000 && name === 'api') figure('summary_pages10k_p95_ms', p95.toFixed(1));
    }
    if (pageCount === 10_000) figure('summary_pages10k_memory_mb', await memoryMb(id));
  }
}

/** A page view and a leave for each of `RANGE_PAGES` pages, from one visitor per page. */
async function seedRangeDay(site, day) {
  const beacons = [];
  for (let page = 0; page < RANGE_PAGES; page += 1) {
    const path = `/docs/page-${page}`;
    // A third of the views enter from another site, the rest come from a page of this one.
    const view = page % 3 === 0 ? { referrer: REFERRERS[Math.floor(page / 3) % REFERRERS.length] }
      : { previous: `/docs/page-${(page + 7) % RANGE_PAGES}` };
    const leave = {
      type: 'leave', path, entry: page % 3 === 0, engaged_ms: (page * 137) % 90_000,
      scroll_pct: (page * 31) % 101, interactions: page % 7, lcp_ms: 800 + (page * 53) % 3_000,
      inp_ms: 40 + (page * 17) % 400, cls_milli: (page * 11) % 300,
      ...(page % 2 === 0 ? { next: `/docs/page-${(page + 1) % RANGE_PAGES}` } : {}),
    };
    // A third of the visitors on phones, for the summary of the mobile segment.
    const platform = page % 3 === 1 ? 'Linux; Android 14; Pixel 8' : 'X11; Linux x86_64';
    const browser = page % 3 === 1 ? 'Chrome/131.0.0.0 Mobile Safari/537.36' : 'Chrome/131.0.0.0 Safari/537.36';
    const userAgent = `Mozilla/5.0 (${platform}) ${browser} Day/${day} Page/${page}`;
    beacons.push([{ site, path, ...view }, userAgent], [{ site, ...leave }, userAgent]);
  }
  const seeded = await closedLoop({
    requests: beacons.length,
    concurrency: SEED_CONCURRENCY,
    send: (n) => postBeacon(edge.url, beacons[n][0], { 'User-Agent': beacons[n][1] }),
  });
  if (seeded.failed > 0) throw new Error(`${seeded.failed} of day ${day}'s beacons failed`);
}

async function thirtyDaySummary() {
  const site = await createSite(edge.url, edge.adminToken, 'month', UNLIMITED);
  const started = performance.now();
  for (let daysAgo = RANGE_DAYS - 1; daysAgo >= 0; daysAgo -= 1) {
    await restartWithClock(-daysAgo * DAY_MS);
    await seedRangeDay(site.id, daysAgo);
  }
  await restartWithClock(0);
  console.error(`${RANGE_DAYS} days of ${RANGE_PAGES} pages seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const to = todayUtc();
  const from = new Date(Date.now() - (RANGE_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const range = `from=${from}&to=${to}`;
  // The first read after a restart: nothing is kept merged yet (see crates/edge/src/shard/closed_ranges.rs).
  const coldStarted = performance.now();
  const cold = await fetch(`${edge.url}/s/${site.id}?key=${site.viewer_token}&${range}`);
  await cold.arrayBuffer();
  const coldMs = performance.now() - coldStarted;
  if (cold.status !== 200) throw new Error(`the 30-day summary answered ${cold.status}`);
  const read = (target, headers = {}) => {
    run({ route: 'GET', target, headers, seconds: 1 }); // warm-up, untimed
    return run({ route: 'GET', target, headers, seconds: SUMMARY_SECONDS });
  };
  const html = read(`/s/${site.id}?key=${site.viewer_token}&${range}`);
  const api = read(`/api/v1/sites/${site.id}/summary?${range}`, { Authorization: `Bearer ${site.viewer_token}` });
  const segment = read(`/s/${site.id}?key=${site.viewer_token}&${range}&segment=device:mobile`);
  const yardstick = run({ route: '/yardstick', seconds: SUMMARY_SECONDS });
  const stored = (await pages(edge.url, site.id, site.viewer_token, { from, to })).pages
    .filter((page) => page.path !== '(other)').length;
  for (const [name, r] of [['html', html], ['api', api], ['segment', segment]]) {
    if (r.failed > 0) throw new Error(`the 30-day summary (${name}) failed ${r.failed} times`);
  }
  figure('summary_days', RANGE_DAYS);
  figure('summary_pages_stored', stored);
  figure('summary_reads', html.requests);
  figure('summary_cold_ms', coldMs.toFixed(0));
  figure('summary_p50_ms', html.p50.toFixed(1));
  figure('summary_p95_ms', html.p95.toFixed(1));
  figure('summary_api_p50_ms', api.p50.toFixed(1));
  figure('summary_api_p95_ms', api.p95.toFixed(1));
  figure('summary_segment_p50_ms', segment.p50.toFixed(1));
  figure('summary_segment_p95_ms', segment.p95.toFixed(1));
  figure('summary_segment_vs_whole', (segment.p95 / html.p95).toFixed(2));
  figure('summary_baseline_p95_ms', yardstick.p95.toFixed(2));
  figure('summary_vs_baseline', (html.p95 / yardstick.p95).toFixed(1));
  figure('summary_api_vs_baseline', (api.p95 / yardstick.p95).toFixed(1));
  figure('summary_cpu_ms', html.cpuMsPerRequest.toFixed(2));
  figure('summary_memory_mb', await memoryMb(site.id));
  figure('summary_api_cpu_ms', api.cpuMsPerRequest.toFixed(2));
  figure('summary_baseline_cpu_ms', yardstick.cpuMsPerRequest.toFixed(3));
}

/** The day `days` before `day` (YYYY-MM-DD). */
const daysBefore = (day, days) => new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);

/**
 * Stores `days` days × `pages` pages of records ending today in each site of `sites` (ids, by
 * shard count), as crates/aggregate/examples/bench_records.rs writes them, with the edge
 * stopped, then starts it again.
 */
async function storeRecords(sites, days, pages) {
  const first = daysBefore(todayUtc(), days - 1);
  const rows = new Map();
  for (const [id, shards] of sites) {
    const bytes = execFileSync('cargo', ['run', '--release', '--quiet', '-p', 'tacit-aggregate', '--example', 'bench_records',
      '--', first, String(days), String(pages), String(shards)], { cwd: REPO_ROOT, maxBuffer: 1 << 30 });
    for (let at = 0; at < bytes.length;) {
      const [kind, shard, day] = [bytes.readUInt8(at), bytes.readUInt16LE(at + 1), bytes.readInt32LE(at + 3)];
      const pathLength = bytes.readUInt16LE(at + 7);
      const path = bytes.toString('utf8', at + 9, at + 9 + pathLength);
      const recordLength = bytes.readUInt32LE(at + 9 + pathLength);
      const record = bytes.subarray(at + 13 + pathLength, at + 13 + pathLength + recordLength);
      at += 13 + pathLength + recordLength;
      const key = `${id}/${shard}`;
      if (!rows.has(key)) rows.set(key, { id, shard, rows: [] });
      rows.get(key).rows.push({ kind, day, path, record });
    }
  }
  await edge.stop();
  for (const { id, shard, rows: records } of rows.values()) {
    const file = await shardDatabase(persistDir, id, shard);
    if (!file) throw new Error(`no database for shard ${shard} of ${id}`);
    await rewriteSqlite(file, (db) => {
      db.run('BEGIN');
      for (const { kind, day, path, record } of records) {
        if (kind === 1) db.run('INSERT INTO page_days (day, path, record) VALUES (?, ?, ?)', [day, path, record]);
        else db.run('INSERT INTO site_days (day, record) VALUES (?, ?)', [day, record]);
      }
      db.run('COMMIT');
    });
  }
  await restartWithClock(0);
}

/**
 * The WebAssembly memory of the isolate of `site`'s largest shard, in MiB, from the site's
 * status: what it grew to since the edge started (it never shrinks), against the runtime's
 * 128 MB per isolate. Locally the worker and every shard may share one isolate, so this bounds
 * each one's from above.
 */
async function memoryMb(site) {
  const res = await fetch(`${edge.url}/api/v1/sites/${site}/status`, { headers: { Authorization: `Bearer ${edge.adminToken}` } });
  if (res.status !== 200) throw new Error(`the status of ${site} answered ${res.status}`);
  const { shards } = await res.json();
  return (Math.max(...shards.map((shard) => shard.memory_bytes)) / 2 ** 20).toFixed(1);
}

/** Milliseconds of one read of `target`, which must answer 200. */
async function timedRead(target) {
  const started = performance.now();
  const res = await fetch(`${edge.url}${target}`);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${target} answered ${res.status}`);
  return performance.now() - started;
}

async function yearSummary() {
  const site = await createSite(edge.url, edge.adminToken, 'year', UNLIMITED);
  const started = performance.now();
  await storeRecords([['year', 1]], YEAR_DAYS, YEAR_PAGES);
  console.error(`${YEAR_DAYS} days of ${YEAR_PAGES} pages stored in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const target = `/s/year?key=${site.viewer_token}&from=${daysBefore(todayUtc(), YEAR_DAYS - 1)}&to=${todayUtc()}`;
  // The first request after the records appeared: its maintenance writes every rollup.
  const rollupsMs = await timedRead(target);
  await restartWithClock(0);
  const coldMs = await timedRead(target);
  const warm = run({ route: 'GET', target, seconds: SUMMARY_SECONDS });
  if (warm.failed > 0) throw new Error(`the year's summary failed ${warm.failed} times`);
  // A warm instance, and a range it has not kept merged: one day shorter, each read once.
  const uncached = [];
  for (let shorter = 1; shorter <= 5; shorter += 1) {
    uncached.push(await timedRead(target.replace(/from=[0-9-]+/, `from=${daysBefore(todayUtc(), YEAR_DAYS - 1 - shorter)}`)));
  }
  figure('summary_year_days', YEAR_DAYS);
  figure('summary_year_pages', YEAR_PAGES);
  figure('summary_year_rollups_ms', rollupsMs.toFixed(0));
  figure('summary_year_cold_ms', coldMs.toFixed(0));
  figure('summary_year_p95_ms', warm.p95.toFixed(1));
  figure('summary_year_uncached_ms', quantiles(uncached).p50.toFixed(0));
  figure('summary_year_cpu_ms', warm.cpuMsPerRequest.toFixed(2));
  figure('summary_year_memory_mb', await memoryMb(site.id));
  // Node's pooled connection sat idle through the wrk run: see the end of the ingest part.
  await fetch(`${edge.url}/healthz`).then((res) => res.arrayBuffer(), () => {});
}

async function shardedSummary() {
  const sites = {};
  for (const shards of [1, MANY_SHARDS]) {
    sites[shards] = await createSite(edge.url, edge.adminToken, `stored${shards}`, { ...UNLIMITED, shards });
  }
  await storeRecords([['stored1', 1], [`stored${MANY_SHARDS}`, MANY_SHARDS]], RANGE_DAYS, RANGE_PAGES);
  const range = `from=${daysBefore(todayUtc(), RANGE_DAYS - 1)}&to=${todayUtc()}`;
  const targets = Object.fromEntries(Object.entries(sites).map(([shards, site]) => [shards, `/s/${site.id}?key=${site.viewer_token}&${range}`]));
  // Every shard's first request writes its rollups; then a restart, as after a deploy.
  for (const target of Object.values(targets)) await timedRead(target);
  await restartWithClock(0);
  const reads = {};
  for (const [shards, target] of Object.entries(targets)) {
    figure(`summary_shards${shards}_cold_ms`, (await timedRead(target)).toFixed(0));
    reads[shards] = run({ route: 'GET', target, seconds: SUMMARY_SECONDS });
    if (reads[shards].failed > 0) throw new Error(`the ${shards}-shard summary failed ${reads[shards].failed} times`);
  }
  figure('summary_shards1_p95_ms', reads[1].p95.toFixed(1));
  figure(`summary_shards${MANY_SHARDS}_p95_ms`, reads[MANY_SHARDS].p95.toFixed(1));
  figure(`summary_shards${MANY_SHARDS}_vs_1`, (reads[MANY_SHARDS].p95 / reads[1].p95).toFixed(1));
  figure(`summary_shards${MANY_SHARDS}_cpu_ms`, reads[MANY_SHARDS].cpuMsPerRequest.toFixed(2));
  figure(`summary_shards${MANY_SHARDS}_memory_mb`, await memoryMb(sites[MANY_SHARDS].id));
  // Node's pooled connection sat idle through the wrk run: see the end of the ingest part.
  await fetch(`${edge.url}/healthz`).then((res) => res.arrayBuffer(), () => {});
}

const PARTS = {
  ingest: ingestAsTheIssueDefines,
  levels: ingestByConcurrency,
  pages: summaryByPageCount,
  month: thirtyDaySummary,
  year: yearSummary,
  shards: shardedSummary,
};
const chosen = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PARTS);
for (const name of chosen) if (!PARTS[name]) throw new Error(`no part ${name}; parts: ${Object.keys(PARTS).join(', ')}`);

try {
  console.error(`edge processes measured for CPU: ${edgePids.join(', ')}`);
  for (const name of chosen) await PARTS[name]();
} finally {
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
