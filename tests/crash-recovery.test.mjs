// Crash recovery: every beacon the edge acknowledged (202) is counted after the edge is killed
// with SIGKILL in the middle of a steady load, or stopped in order right after its last answer,
// and started again on the same storage. The shard journals each beacon before it answers and
// replays the journal when it starts (README, "Flush policy"). HTTP only, no browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { steadyLoad } from './support/steady-load.mjs';
import { useEdge } from './support/fixtures.mjs';

const KILLS = 3;
/** How long each round loads the edge before it is killed: longer than the flush interval
 * (1 s), so that both flushed and journalled beacons are at stake. */
const LOAD_MS = 1500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash recovery', () => {
  const env = useEdge({ settings: { visitor_beacons_per_minute: 10_000_000, site_beacons_per_minute: 10_000_000 } });
  const counted = async () => (await env.pages()).totals.views;

  test(`counts every acknowledged beacon after each of ${KILLS} kills with SIGKILL mid-load`, async (t) => {
    for (let round = 1; round <= KILLS; round += 1) {
      const before = await counted();
      const load = steadyLoad(env.edge.url, 'demo');
      await sleep(LOAD_MS);
      await env.edge.kill(); // with requests in flight
      const { sent, acknowledged } = await load.stop();
      await env.restart();
      const gained = (await counted()) - before;
      t.diagnostic(`kill ${round}: ${sent} sent, ${acknowledged} acknowledged, ${gained} counted`);
      assert.ok(acknowledged > 0, `kill ${round}: the edge answered nothing`);
      // Beacons in flight at the kill may be counted without their answer arriving.
      assert.ok(gained >= acknowledged, `kill ${round}: ${acknowledged - gained} acknowledged beacons lost`);
      assert.ok(gained <= sent, `kill ${round}: ${gained} counted of ${sent} sent`);
    }
  });

  test('counts every beacon after an orderly stop right after the last answer', async (t) => {
    const before = await counted();
    const load = steadyLoad(env.edge.url, 'demo');
    await sleep(LOAD_MS);
    const { sent, acknowledged } = await load.stop();
    await env.restart();
    const gained = (await counted()) - before;
    t.diagnostic(`orderly stop: ${sent} sent, ${acknowledged} acknowledged, ${gained} counted`);
    assert.equal(acknowledged, sent, 'every beacon was answered before the stop');
    assert.equal(gained, acknowledged);
  });
});
