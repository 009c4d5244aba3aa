// Ingest protection: a beacon retried with the same id is counted once (also after a restart),
// and per-visitor and per-site rate limits answer 429 with Retry-After, so one client cannot
// flood a site's numbers. HTTP only, no browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { createSite, pages, postBeacon, randomToken } from './support/edge.mjs';
import { assertJsonError, countsByPath, useEdge } from './support/fixtures.mjs';

/** A random beacon id: 16 hex digits. */
const beaconId = () => randomToken().slice(0, 16);

/** A user agent of its own, so the visitor's rate limit starts at zero. */
const freshAgent = () => `${UA_WINDOWS} Test/${randomToken().slice(0, 8)}`;

/**
 * Rate limits count per minute (UTC, windows aligned to whole minutes): waits for a fresh
 * window when fewer than `seconds` remain in this one, so a burst is not split by a reset.
 */
async function withinOneWindow(seconds = 20) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('ingest protection', () => {
  const env = useEdge();
  const send = (body, userAgent = UA_WINDOWS) => postBeacon(env.edge.url, body, { 'User-Agent': userAgent });

  test('counts a beacon retried with the same id once, and answers every retry 202', async () => {
    const id = beaconId();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const res = await send({ site: 'demo', id, path: '/retried' });
      assert.equal(res.status, 202, await res.text());
    }
    assert.equal((await send({ site: 'demo', id: beaconId(), path: '/retried' })).status, 202);
    assert.equal((await send({ site: 'demo', path: '/retried' })).status, 202, 'a beacon without id');
    const result = await env.pages();
    assert.deepEqual(countsByPath(result)['/retried'], { views: 3, visitors: 1 });

    // A retried leave beacon adds its engagement once too.
    const leaveId = beaconId();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const leave = { site: 'demo', id: leaveId, type: 'leave', path: '/retried', entry: true, engaged_ms: 5000, scroll_pct: 50 };
      assert.equal((await send(leave)).status, 202);
    }
  });

  test('counts a beacon retried across a restart of the edge once', async () => {
    // The beacon's id is stored with the records it changed, in the same flush: either both
    // survive the restart (the retry is recognised) or neither does (the retry is counted).
    // Both ways the beacon is counted exactly once.
    const id = beaconId();
    assert.equal((await send({ site: 'demo', id, path: '/restarted' })).status, 202);
    await env.restart();
    assert.equal((await send({ site: 'demo', id, path: '/restarted' })).status, 202);
    const result = await env.pages();
    assert.deepEqual(countsByPath(result)['/restarted'], { views: 1, visitors: 1 });
  });

  test('answers 429 with Retry-After once a visitor sends more beacons a minute than allowed', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'limited', { visitor_beacons_per_minute: 5 });
    await withinOneWindow();
    const flooder = freshAgent();
    for (let n = 0; n < 5; n += 1) {
      assert.equal((await send({ site: 'limited', path: '/flooded' }, flooder)).status, 202, `beacon ${n + 1}`);
    }
    for (let n = 0; n < 3; n += 1) {
      const res = await send({ site: 'limited', path: '/flooded' }, flooder);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${res.headers.get('retry-after')}`);
      assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/i);
      await assertJsonError(res, 429);
    }
    // Another visitor is not held back by the first one's limit.
    assert.equal((await send({ site: 'limited', path: '/flooded' }, UA_MAC)).status, 202);
    const result = await pages(env.edge.url, 'limited', site.viewer_token);
    assert.deepEqual(countsByPath(result), { '/flooded': { views: 6, visitors: 2 } }, 'refused beacons are not counted');
  });

  test('answers 429 once the site receives more beacons a minute than allowed', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'busy', { site_beacons_per_minute: 4 });
    await withinOneWindow();
    for (let n = 0; n < 4; n += 1) {
      assert.equal((await send({ site: 'busy', path: '/' }, freshAgent())).status, 202, `visitor ${n + 1}`);
    }
    const res = await send({ site: 'busy', path: '/' }, freshAgent());
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    await assertJsonError(res, 429);
    // Other sites have limits of their own.
    assert.equal((await send({ site: 'demo', path: '/' }, freshAgent())).status, 202);
    assert.equal((await pages(env.edge.url, 'busy', site.viewer_token)).totals.views, 4);
  });
});
