// Daily maintenance: each site shard sets an alarm for the next 00:00 UTC, rotates its salt
// there, deletes salts older than 48 hours and records older than the site's retention. The
// status API (admin or auditor token) reports it. The tests cannot wait for midnight: they
// restart the edge with its clock shifted days ahead (TACIT_CLOCK_OFFSET_MS), and a shard
// catches up on a missed alarm before it answers. HTTP only, no browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, createSite, pages, postBeacon, randomToken, todayUtc } from './support/edge.mjs';
import { assertJsonError, countsByPath, useEdge } from './support/fixtures.mjs';

const DAY_MS = 86_400_000;
const dayAfter = (day, days) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

describe('daily maintenance', () => {
  const env = useEdge();
  const status = async (site, token) => {
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/status`, { token });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };

  test('sets the alarm for the next 00:00 UTC and reports the salts held to the auditor', async () => {
    const today = todayUtc();
    const result = await status('demo', env.site.auditor_token);
    assert.equal(result.next_alarm_ms, Date.parse(`${dayAfter(today, 1)}T00:00:00Z`));
    assert.deepEqual(result.salts.days, [today], "today's salt is drawn at once");
    assert.ok(result.salts.oldest_age_hours >= 0 && result.salts.oldest_age_hours < 24);
    assert.equal(result.retention.days, 762);
    assert.equal(result.change_log.verified, true);
    const asAdmin = await status('demo', env.edge.adminToken);
    assert.deepEqual([asAdmin.next_alarm_ms, asAdmin.salts.days], [result.next_alarm_ms, result.salts.days]);
  });

  test('sets the alarm back to the next 00:00 UTC after a flush of the open day', async () => {
    // Regression: the flush alarm replaced the midnight alarm and then failed to set it again
    // (an invalid date), so the runtime kept retrying it; found by hostile-input's log scan.
    const res = await postBeacon(env.edge.url, { site: 'demo', path: '/flushed' }, { 'User-Agent': UA_WINDOWS });
    assert.equal(res.status, 202);
    // The shard flushes at most 1 s after a change (README, "Flush policy").
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const result = await status('demo', env.site.auditor_token);
    assert.equal(result.next_alarm_ms, Date.parse(`${dayAfter(todayUtc(), 1)}T00:00:00Z`));
    assert.doesNotMatch(env.edge.output(), /alarm failed/);
  });

  test('answers the status only to the admin and auditor tokens', async () => {
    const get = (site, token) => apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/status`, { token });
    await assertJsonError(await get('demo', env.site.viewer_token), 401, 'viewer token');
    await assertJsonError(await get('demo', randomToken()), 401, 'wrong token');
    await assertJsonError(await get('demo', undefined), 401, 'no token');
    await assertJsonError(await get('nosuchsite', env.edge.adminToken), 404, 'unknown site');
  });

  test('a range over closed days, read again, keeps them merged and still counts what today adds', async () => {
    // The shard keeps closed days' records merged per range in memory (crates/edge/src/shard/closed_ranges.rs).
    const day0 = todayUtc();
    const site = await createSite(env.edge.url, env.edge.adminToken, 'ranges');
    const send = async (path, userAgent) => {
      const res = await postBeacon(env.edge.url, { site: 'ranges', path }, { 'User-Agent': userAgent });
      assert.equal(res.status, 202);
    };
    await send('/a', UA_WINDOWS);
    await send('/a', UA_MAC);
    await send('/b', UA_MAC);
    await env.restart({ vars: { TACIT_CLOCK_OFFSET_MS: DAY_MS } });
    const day1 = dayAfter(day0, 1);
    const read = (from, to) => pages(env.edge.url, 'ranges', site.viewer_token, { from, to });
    const before = countsByPath(await read(day0, day1));
    assert.deepEqual(before, { '/a': { views: 2, visitors: 2 }, '/b': { views: 1, visitors: 1 } });
    assert.deepEqual(countsByPath(await read(day0, day1)), before, 'the same range read again');
    await send('/a', UA_WINDOWS);
    await send('/c', UA_WINDOWS);
    // The person on UA_WINDOWS has a new hash on the new day: a visitor again for /a.
    assert.deepEqual(countsByPath(await read(day0, day1)), {
      '/a': { views: 3, visitors: 3 }, '/b': { views: 1, visitors: 1 }, '/c': { views: 1, visitors: 1 },
    });
    assert.deepEqual(countsByPath(await read(day0, day0)), {
      '/a': { views: 2, visitors: 2 }, '/b': { views: 1, visitors: 1 },
    });
    await env.restart();
  });

  test("today's pages, read again, are kept decoded and still count what is added; a deleted site's are gone", async () => {
    // The shard keeps the open day's page records decoded for the reads of today
    // (crates/edge/src/shard/open_day.rs); every flush updates them.
    let site = await createSite(env.edge.url, env.edge.adminToken, 'today');
    const send = async (path, userAgent) => {
      const res = await postBeacon(env.edge.url, { site: 'today', path }, { 'User-Agent': userAgent });
      assert.equal(res.status, 202);
    };
    const read = () => pages(env.edge.url, 'today', site.viewer_token);
    await send('/a', UA_WINDOWS);
    await send('/b', UA_MAC);
    const first = countsByPath(await read());
    assert.deepEqual(first, { '/a': { views: 1, visitors: 1 }, '/b': { views: 1, visitors: 1 } });
    assert.deepEqual(countsByPath(await read()), first, 'the same day read again');
    await send('/a', UA_MAC);
    await send('/c', UA_WINDOWS);
    assert.deepEqual(countsByPath(await read()), {
      '/a': { views: 2, visitors: 2 }, '/b': { views: 1, visitors: 1 }, '/c': { views: 1, visitors: 1 },
    });

    const deleted = await apiRequest(env.edge.url, 'DELETE', '/api/v1/sites/today', { token: env.edge.adminToken });
    assert.equal(deleted.status, 204, await deleted.text());
    site = await createSite(env.edge.url, env.edge.adminToken, 'today');
    assert.deepEqual((await read()).pages, [], 'nothing of the deleted site is kept');
    await send('/d', UA_MAC);
    assert.deepEqual(countsByPath(await read()), { '/d': { views: 1, visitors: 1 } });
  });

  test('rotates the salt at midnight, keeps no salt beyond 48 hours and deletes records beyond the retention', async () => {
    const day0 = todayUtc();
    const site = await createSite(env.edge.url, env.edge.adminToken, 'aging', { retention_days: 2 });
    for (const userAgent of [UA_WINDOWS, UA_MAC]) {
      const res = await postBeacon(env.edge.url, { site: 'aging', path: '/old' }, { 'User-Agent': userAgent });
      assert.equal(res.status, 202);
    }
    const read = (day) => pages(env.edge.url, 'aging', site.viewer_token, { from: day, to: day });
    assert.deepEqual(countsByPath(await read(day0)), { '/old': { views: 2, visitors: 2 } });

    // One day later: a new salt, yesterday's kept (it is under 48 hours old), records kept.
    await env.restart({ vars: { TACIT_CLOCK_OFFSET_MS: DAY_MS } });
    const day1 = await status('aging', site.auditor_token);
    assert.deepEqual(day1.salts.days, [day0, dayAfter(day0, 1)]);
    assert.ok(day1.salts.oldest_age_hours >= 24 && day1.salts.oldest_age_hours < 48);
    assert.equal(day1.next_alarm_ms, Date.parse(`${dayAfter(day0, 2)}T00:00:00Z`));
    assert.equal(day1.retention.oldest_record_day, day0);
    // The same person on the new day is a new visitor as far as hashes go: nothing links days.
    const res = await postBeacon(env.edge.url, { site: 'aging', path: '/old' }, { 'User-Agent': UA_WINDOWS });
    assert.equal(res.status, 202);
    assert.deepEqual(countsByPath(await read(dayAfter(day0, 1))), { '/old': { views: 1, visitors: 1 } });

    // Three days later: only that day's salt is left, and the first day's records are gone.
    await env.restart({ vars: { TACIT_CLOCK_OFFSET_MS: 3 * DAY_MS } });
    const day3 = await status('aging', site.auditor_token);
    assert.deepEqual(day3.salts.days, [dayAfter(day0, 3)]);
    assert.equal(day3.retention.deleting_before, dayAfter(day0, 2));
    assert.equal(day3.retention.oldest_record_day, null, 'the records of day 0 and day 1 are deleted');
    assert.deepEqual((await read(day0)).pages, []);
    assert.deepEqual((await read(dayAfter(day0, 1))).pages, []);

    // Back to the real clock, for the tests that follow.
    await env.restart();
  });
});
