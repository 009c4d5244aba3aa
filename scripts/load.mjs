#!/usr/bin/env node
// A small, bounded load test of POST /e against a local `wrangler dev` (loopback only).
//
//   node scripts/load.mjs [requests=3000] [concurrency=16] [beacons_per_visitor=1] [paths=100]   # after make build
//
// Starts its own edge on a temporary persist dir, creates one site with limits high enough not
// to get in the way, and sends `requests` page views (to `paths` distinct paths, a new user agent every
// `beacons_per_visitor` beacons, so the site's visitor sketch grows as on a busy site) with `concurrency` requests in flight. The yardstick, in the same run and with the
// same client, is `GET /healthz`, a route that does nothing. Prints:
//   edge_baseline_rps, edge_ingest_rps, edge_ingest_p99_ms, edge_ingest_ratio, edge_ingest_counted,
//   and edge_ingest_page_rows, edge_ingest_other_views: with more paths than the site's
//   max_pages_per_day (1000), the rows kept and the views folded into "(other)" (a cardinality
//   attack: `node scripts/load.mjs 100000 16 1 100000`).
// The client is Node and shares the CPU with the edge, so read the ratio, not the absolute rps.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSite, pages, startEdge } from '../tests/support/edge.mjs';
import { closedLoop, loadBeacon, UNLIMITED } from './support/bench.mjs';

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const PER_VISITOR = Number(process.argv[4] ?? 1);
const PATHS = Number(process.argv[5] ?? 100);
if (!(REQUESTS > 0 && REQUESTS <= 100_000)) throw new Error('requests: 1 to 100000');

async function run(label, send) {
  const result = await closedLoop({ requests: REQUESTS, concurrency: CONCURRENCY, send });
  console.error(`${label}: ${REQUESTS} requests in ${result.seconds.toFixed(2)} s, ${result.failed} failed`);
  return result;
}

const persistDir = await mkdtemp(path.join(os.tmpdir(), 'tacit-load-'));
const edge = await startEdge({ persistDir });
try {
  const site = await createSite(edge.url, edge.adminToken, 'load', UNLIMITED);
  const beacon = (n) => loadBeacon(edge.url, 'load', n, { perVisitor: PER_VISITOR, paths: PATHS });
  // Warm up both routes (workerd compiles the worker, the shard opens its database).
  for (let n = 0; n < 50; n += 1) {
    await (await fetch(`${edge.url}/healthz`)).arrayBuffer();
  }
  await (await beacon(0)).arrayBuffer();

  const baseline = await run('baseline GET /healthz', () => fetch(`${edge.url}/healthz`));
  const ingest = await run('ingest POST /e', beacon);
  const result = await pages(edge.url, 'load', site.viewer_token);
  const counted = result.totals.views - 1;
  const other = result.pages.find((row) => row.path === '(other)');
  console.log(`edge_baseline_rps=${baseline.rps.toFixed(0)}`);
  console.log(`edge_ingest_rps=${ingest.rps.toFixed(0)}`);
  console.log(`edge_ingest_p99_ms=${ingest.p99.toFixed(1)}`);
  console.log(`edge_ingest_ratio=${(ingest.rps / baseline.rps).toFixed(2)}`);
  console.log(`edge_ingest_counted=${counted}/${REQUESTS - ingest.failed}`);
  console.log(`edge_ingest_page_rows=${result.pages.length}`);
  console.log(`edge_ingest_other_views=${other?.views ?? 0}`);
} finally {
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
