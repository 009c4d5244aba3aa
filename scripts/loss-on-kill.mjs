#!/usr/bin/env node
// How many acknowledged beacons a stop of the edge loses: killed with SIGKILL mid-load, and
// stopped in order right after its last answer.
//
//   node scripts/loss-on-kill.mjs [seconds=5] [in_flight=8] [kills=5]      # after `make build`
//
// Starts an edge on a temporary persist dir (loopback only) and, `kills` times, sends page
// views for `seconds`, kills wrangler and workerd with SIGKILL while beacons are in flight,
// starts the edge again on the same storage and counts what was kept; then once more with an
// orderly stop (SIGTERM) after the load. Prints, per run and in total:
//   edge_acknowledged, edge_loss_on_kill (acknowledged with 202 but not counted after the
//   restart), edge_loss_on_stop.
// tests/crash-recovery.test.mjs asserts the same with shorter loads.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSite, pages, startEdge } from '../tests/support/edge.mjs';
import { steadyLoad } from '../tests/support/steady-load.mjs';
import { UNLIMITED } from './support/bench.mjs';

const SECONDS = Number(process.argv[2] ?? 5);
const IN_FLIGHT = Number(process.argv[3] ?? 8);
const KILLS = Number(process.argv[4] ?? 5);

const persistDir = await mkdtemp(path.join(os.tmpdir(), 'tacit-kill-'));
let edge = await startEdge({ persistDir });
try {
  const site = await createSite(edge.url, edge.adminToken, 'kill', UNLIMITED);
  const counted = async () => (await pages(edge.url, 'kill', site.viewer_token)).totals.views;

  /** One load of SECONDS, ended by `end(edge)`; the acknowledged beacons lost across it. */
  async function run(label, end) {
    const before = await counted();
    const load = steadyLoad(edge.url, 'kill', { inFlight: IN_FLIGHT });
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const { sent, acknowledged } = await end(edge, load);
    edge = await startEdge({ persistDir, adminToken: edge.adminToken, saltKey: edge.saltKey });
    const gained = (await counted()) - before;
    const lost = Math.max(0, acknowledged - gained);
    console.error(`${label}: ${sent} sent, ${acknowledged} acknowledged, ${gained} counted, ${lost} lost`);
    return { acknowledged, lost };
  }

  let acknowledged = 0;
  let lostOnKill = 0;
  for (let kill = 1; kill <= KILLS; kill += 1) {
    const result = await run(`kill ${kill}`, async (running, load) => {
      await running.kill(); // mid-load
      return load.stop();
    });
    acknowledged += result.acknowledged;
    lostOnKill += result.lost;
  }
  const orderly = await run('orderly stop', async (running, load) => {
    const result = await load.stop();
    await running.stop();
    return result;
  });
  console.log(`edge_acknowledged=${acknowledged}`);
  console.log(`edge_loss_on_kill=${lostOnKill}`);
  console.log(`edge_loss_on_stop=${orderly.lost}`);
} finally {
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
