#!/usr/bin/env node
// The edge's figures for `make bench` (BENCHMARKS.md), against a local `wrangler dev` that this
// script starts on a temporary persist dir. Loopback only; every loop is bounded.
//
//   node scripts/bench-edge.mjs [requests=2000]      # after `make build`
//
// 1. Ingest at 1, 10 and 100 concurrent clients. At each level, `requests` page views to a
//    fresh site (so every level starts from the same empty day), and as the yardstick, with the
//    same client, `requests` GET /healthz (a route that does nothing; scripts/load.mjs keeps the
//    same ratio), in alternating rounds so that the machine's other work hits both alike. For each: requests/s, p50 and p99 latency, and the edge's CPU time per request
//    (wrangler and workerd, from /proc): what a beacon costs, and how that cost moves as more
//    clients send at once.
// 2. Summary latency with 10, 1,000 and 10,000 distinct pages in the range: each site is seeded
//    today through POST /e (one page view per page, at least 1,000 views), then
//    GET /api/v1/sites/<site>/summary (JSON) and GET /s/<site> (HTML) are timed one at a time.
//    A site holds at most `max_pages_per_day` distinct pages a day (default 1,000); the 10,000
//    page site raises it to 10,000, so all its pages are on one day. The pages the edge stored
//    are counted from /pages and printed, so a cap that bit would show.
//
// Prints `name=value` lines (edge_c<clients>_*, edge_summary_<pages>_*). The Node client shares
// the machine's cores with wrangler and workerd: read ratios and trends, not absolute rates.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSite, pages, startEdge, todayUtc } from '../tests/support/edge.mjs';
import {
  closedLoop, cpuSeconds, figure, loadBeacon, processTree, quantiles, UNLIMITED,
} from './support/bench.mjs';

const REQUESTS = Number(process.argv[2] ?? 2000);
if (!(REQUESTS >= 100 && REQUESTS <= 100_000)) throw new Error('requests: 100 to 100000');
const CLIENTS = [1, 10, 100];
const PAGE_COUNTS = [10, 1_000, 10_000];
/** Rounds each level's requests are split into, alternating /healthz and POST /e. */
const ROUNDS = 4;
/** Distinct pages the ingest levels spread their page views over. */
const INGEST_PAGES = 100;
/** Timed reads of each summary route per site, after one untimed read. */
const SUMMARY_SAMPLES = 15;
/** Clients in flight while seeding: enough to keep the edge busy, not a measurement. */
const SEED_CONCURRENCY = 16;

const persistDir = await mkdtemp(path.join(os.tmpdir(), 'tacit-bench-'));
const edge = await startEdge({ persistDir });
const edgePids = processTree(edge.pid);

/**
 * Runs `REQUESTS` of each of `kinds` (name → send(n)) with `concurrency` clients, in ROUNDS
 * alternating rounds, so that a burst of other work on the shared machine weighs on every kind
 * alike, and measures the edge's CPU time over each kind's rounds. Request numbers run on
 * across rounds (each beacon is still a new visitor).
 */
async function interleaved(concurrency, kinds) {
  const perRound = Math.ceil(REQUESTS / ROUNDS);
  const totals = Object.fromEntries(Object.keys(kinds).map((name) => [name, { seconds: 0, failed: 0, cpu: 0, latencies: [] }]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, send] of Object.entries(kinds)) {
      const cpuBefore = cpuSeconds(edgePids);
      const result = await closedLoop({ requests: perRound, concurrency, send: (n) => send(round * perRound + n) });
      const total = totals[name];
      total.cpu += cpuSeconds(edgePids) - cpuBefore;
      total.seconds += result.seconds;
      total.failed += result.failed;
      total.latencies.push(...result.latencies);
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([name, t]) => [name, {
    requests: t.latencies.length,
    rps: t.latencies.length / t.seconds,
    failed: t.failed,
    cpuMsPerRequest: (t.cpu * 1000) / t.latencies.length,
    ...quantiles(t.latencies),
  }]));
}

try {
  figure('edge_requests', Math.ceil(REQUESTS / ROUNDS) * ROUNDS);
  figure('edge_rounds', ROUNDS);
  figure('edge_ingest_pages', INGEST_PAGES);
  figure('edge_summary_samples', SUMMARY_SAMPLES);
  console.error(`edge processes measured for CPU: ${edgePids.join(', ')}`);
  // Warm up (workerd compiles the worker; the first shard opens its database).
  const warm = await createSite(edge.url, edge.adminToken, 'warm', UNLIMITED);
  await closedLoop({ requests: 200, concurrency: 4, send: () => fetch(`${edge.url}/healthz`) });
  await closedLoop({ requests: 200, concurrency: 4, send: (n) => loadBeacon(edge.url, warm.id, n) });

  for (const clients of CLIENTS) {
    const id = `load${clients}`;
    const site = await createSite(edge.url, edge.adminToken, id, UNLIMITED);
    const { baseline, ingest } = await interleaved(clients, {
      baseline: () => fetch(`${edge.url}/healthz`),
      ingest: (n) => loadBeacon(edge.url, id, n, { paths: INGEST_PAGES }),
    });
    const counted = (await pages(edge.url, id, site.viewer_token)).totals.views;
    console.error(`${clients} clients: healthz ${baseline.rps.toFixed(0)}/s, ingest ${ingest.rps.toFixed(0)}/s, `
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
    }
  }
} finally {
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
