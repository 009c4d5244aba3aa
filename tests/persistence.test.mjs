// Persistence: counts are kept in the edge's storage, not in memory, so they survive a restart
// of the edge (a redeploy, or `make dev` stopped and started again).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { postBeacon, waitForViews } from './support/edge.mjs';
import { countsByPath, totals, useEdge } from './support/fixtures.mjs';

describe('persistence', () => {
  const env = useEdge();
  let beforeRestart;

  async function view(path, userAgent) {
    const res = await postBeacon(env.edge.url, { site: 'demo', path }, { 'User-Agent': userAgent });
    assert.equal(res.status, 202, await res.text());
  }

  before(async () => {
    await view('/', UA_WINDOWS);
    await view('/pricing.html', UA_WINDOWS);
    await view('/', UA_MAC);
    beforeRestart = await waitForViews(() => env.pages(), (r) => r.totals.views >= 3);
    await env.restart();
  });

  test('keeps every count across a restart of the edge', async () => {
    const expected = {
      '/': { views: 2, visitors: 2 },
      '/pricing.html': { views: 1, visitors: 1 },
    };
    assert.deepEqual(countsByPath(beforeRestart), expected, 'counted before the restart');
    const afterRestart = await env.pages();
    assert.deepEqual(countsByPath(afterRestart), expected, 'nothing lost or added by the restart');
    assert.deepEqual(totals(afterRestart), { views: 3, visitors: 2 });
  });

  test('keeps a beacon acknowledged just before a restart, unread', async () => {
    // Not yet flushed (that waits up to 1 s), but journalled before its 202 (README, "Flush
    // policy").
    await view('/unread.html', UA_WINDOWS);
    await env.restart();
    const result = await env.pages();
    assert.deepEqual(countsByPath(result)['/unread.html'], { views: 1, visitors: 1 });
  });

  test('recognises a visitor from before the restart on the same day', async () => {
    await view('/pricing.html', UA_MAC);
    await view('/', UA_WINDOWS);
    const result = await waitForViews(() => env.pages(), (r) => r.totals.views >= 6);
    assert.deepEqual(countsByPath(result), {
      '/': { views: 3, visitors: 2 }, // the same two people as before the restart
      '/pricing.html': { views: 2, visitors: 2 },
      '/unread.html': { views: 1, visitors: 1 },
    });
    assert.deepEqual(totals(result), { views: 6, visitors: 2 }, 'the daily salt survived the restart');
  });
});
