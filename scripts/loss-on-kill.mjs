#!/usr/bin/env node
// How many acknowledged beacons a SIGKILL of the edge loses (the flush policy's crash bound).
//
//   node scripts/loss-on-kill.mjs [seconds=5] [concurrency=8]      # after `make build`
//
// Starts an edge on a temporary persist dir (loopback only), sends page views for `seconds`,
// then kills wrangler and workerd with SIGKILL while beacons are in flight, starts the edge
// again on the same storage and counts what was kept. Prints edge_loss_on_kill (acknowledged
// with 202 but not counted after the restart) and edge_acknowledged.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSite, pages, startEdge } from '../tests/support/edge.mjs';
import { processTree, UNLIMITED } from './support/bench.mjs';

const SECONDS = Number(process.argv[2] ?? 5);
const CONCURRENCY = Number(process.argv[3] ?? 8);

const persistDir = await mkdtemp(path.join(os.tmpdir(), 'tacit-kill-'));
let edge = await startEdge({ persistDir });
try {
  const site = await createSite(edge.url, edge.adminToken, 'kill', UNLIMITED);
  let acknowledged = 0;
  let sent = 0;
  let stop = false;
  const deadline = Date.now() + SECONDS * 1000;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (!stop) {
      const n = sent++;
      try {
        const res = await fetch(`${edge.url}/e`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain', 'User-Agent': `Mozilla/5.0 Chrome/131.0 Kill/${n}` },
          body: JSON.stringify({ site: 'kill', path: `/p${'abcdefghij'[n % 10]}` }),
        });
        await res.arrayBuffer();
        if (res.status === 202) acknowledged += 1;
      } catch {
        // The edge is gone: not acknowledged.
      }
      if (Date.now() > deadline) break;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  // Mid-load: the workers are still sending.
  const pids = processTree(edge.pid);
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  stop = true;
  await Promise.all(workers);
  await edge.exited;
  edge = await startEdge({ persistDir, adminToken: edge.adminToken, saltKey: edge.saltKey });
  const counted = (await pages(edge.url, 'kill', site.viewer_token)).totals.views;
  console.error(`killed ${pids.length} processes after ${SECONDS} s; ${acknowledged} acknowledged, ${counted} counted`);
  console.log(`edge_acknowledged=${acknowledged}`);
  console.log(`edge_loss_on_kill=${acknowledged - counted}`);
} finally {
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
