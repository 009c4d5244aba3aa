// Sharding: a site split across several Durable Objects (its `shards` setting) counts the same
// as a site with one, because each visitor always goes to the same shard and the shards'
// records are merged at read time. HTTP only, no browser.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { apiRequest, createSite, edgeFetch, pages, postBeacon, todayUtc } from './support/edge.mjs';
import { assertJsonError, useEdge } from './support/fixtures.mjs';
import { rewriteSqlite, shardDatabase } from './support/sqlite-file.mjs';

/** How many Durable Object databases the edge's storage holds. */
async function databases(persistDir) {
  const entries = await readdir(persistDir, { recursive: true });
  return entries.filter((name) => name.endsWith('.sqlite')).length;
}

describe('sharding', () => {
  const env = useEdge();

  test('shows the same summary with 1 shard and with 4 shards for the same beacons', async () => {
    const before = await databases(env.persistDir);
    const one = await createSite(env.edge.url, env.edge.adminToken, 'one-shard', { shards: 1 });
    const four = await createSite(env.edge.url, env.edge.adminToken, 'four-shards', { shards: 4 });
    assert.equal(four.settings.shards, 4);
    // 40 visitors, each viewing 1 to 3 of 5 pages, some twice.
    const beacons = [];
    for (let visitor = 0; visitor < 40; visitor += 1) {
      const userAgent = `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Visitor/${visitor}`;
      for (let n = 0; n <= visitor % 3; n += 1) {
        beacons.push([userAgent, `/page-${'abcde'[(visitor + n) % 5]}`]);
      }
      if (visitor % 4 === 0) beacons.push([userAgent, '/page-a']);
    }
    for (const site of ['one-shard', 'four-shards']) {
      for (const [userAgent, path] of beacons) {
        const res = await postBeacon(env.edge.url, { site, path }, { 'User-Agent': userAgent });
        assert.equal(res.status, 202, await res.text());
      }
    }
    const single = { ...await pages(env.edge.url, 'one-shard', one.viewer_token), token: one.viewer_token };
    const sharded = { ...await pages(env.edge.url, 'four-shards', four.viewer_token), token: four.viewer_token };
    assert.equal(single.totals.views, beacons.length);
    // Small sets: the sketches count exactly, so the merge must match to the visitor.
    assert.deepEqual(sharded.totals, single.totals);
    assert.deepEqual(sharded.pages, single.pages);
    // Every report, for every visitor and for a segment: each shard sends only the segments the
    // report reads, and the worker builds the same report the one shard builds.
    const read = async (site, token, route) => {
      const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/${route}`, { token });
      assert.equal(res.status, 200, `${route}: ${await res.clone().text()}`);
      return res.json();
    };
    // The pages table names its site; nothing else differs.
    const withoutSite = ({ site, ...report }) => report;
    for (const route of ['summary', 'summary?segment=device:desktop', 'page?path=/page-a',
      'page?path=/page-b&segment=channel:direct', 'insights', 'pages?segment=device:desktop']) {
      const [one, four] = [await read('one-shard', single.token, route), await read('four-shards', sharded.token, route)];
      assert.deepEqual(withoutSite(four), withoutSite(one), route);
    }
    const { segments } = (await read('four-shards', sharded.token, 'page?path=/page-a')).summary;
    assert.ok(segments.rows.length + segments.fewer_than_k > 0, "the page report has the page's segments");
    // The beacons really were spread: shard 0 of each site plus three further shards.
    assert.equal(await databases(env.persistDir), before + 5);

    // The privacy report gathers every shard: one salt per shard, every page view's consent.
    const privacy = async (site, token) => {
      const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/privacy`, { token });
      assert.equal(res.status, 200, await res.clone().text());
      return res.json();
    };
    const [singleAudit, shardedAudit] = [await privacy('one-shard', one.auditor_token), await privacy('four-shards', four.auditor_token)];
    assert.deepEqual([singleAudit.salts.held, shardedAudit.salts.held], [1, 4]);
    assert.deepEqual(shardedAudit.salts.days, singleAudit.salts.days);
    assert.equal(shardedAudit.consent.total.page_views, beacons.length, 'every beacon is a page view');
    assert.deepEqual(shardedAudit.consent.total, singleAudit.consent.total);
    assert.equal(shardedAudit.change_log.entries.length, 1, 'the change log lives on shard 0 alone');

    // The status reports every shard, and today's consent tally of the whole site.
    const status = async (site, token) => {
      const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/status`, { token });
      assert.equal(res.status, 200, await res.clone().text());
      return res.json();
    };
    const [singleStatus, shardedStatus] = [await status('one-shard', one.auditor_token), await status('four-shards', four.auditor_token)];
    assert.deepEqual(shardedStatus.shards.map((shard) => shard.index), [0, 1, 2, 3]);
    for (const shard of shardedStatus.shards) {
      assert.deepEqual(shard.salts.days, singleStatus.salts.days, `shard ${shard.index} holds today's salt`);
      // A flush of the open day may come first; the maintenance at the next midnight at the latest.
      const nextMidnight = Date.parse(`${todayUtc()}T00:00:00Z`) + 86_400_000;
      assert.ok(shard.next_alarm_ms > 0 && shard.next_alarm_ms <= nextMidnight, `shard ${shard.index}'s alarm`);
    }
    const tally = (result) => result.consent_today.reduce((sum, entry) => sum + entry.count, 0);
    assert.equal(tally(shardedStatus), tally(singleStatus));
    assert.ok(tally(singleStatus) > 0);
    assert.equal(singleStatus.shards.length, 1);
  });

  test('counts a visitor once when a raised shard count sends them to another shard mid-day', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'growing', { shards: 1 });
    const userAgents = Array.from({ length: 24 }, (_, n) => `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Grower/${n}`);
    const visitAll = async () => {
      for (const userAgent of userAgents) {
        const res = await postBeacon(env.edge.url, { site: 'growing', path: '/home' }, { 'User-Agent': userAgent });
        assert.equal(res.status, 202, await res.text());
      }
    };
    await visitAll();
    const raised = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/growing', { token: env.edge.adminToken, body: { shards: 4 } });
    assert.equal(raised.status, 200, await raised.text());
    await visitAll();
    const result = await pages(env.edge.url, 'growing', site.viewer_token);
    // Most of the 24 now go to shards 1 to 3, which hash them with shard 0's salt of the day.
    assert.deepEqual(result.totals, { views: 48, visitors: 24, bots_dropped: 0 });
  });

  test('lets an update replace its leave when the visitor\'s address changed, and so their shard', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'moving', { shards: 4 });
    const send = async (body, ip, userAgent) => {
      const res = await postBeacon(env.edge.url, { site: 'moving', ...body }, { 'CF-Connecting-IP': ip, 'User-Agent': userAgent });
      assert.equal(res.status, 202, await res.text());
    };
    // Eight readers view and leave the page on one network, then come back on another (a phone
    // leaving the office Wi-Fi) and read on. Most of the eight new addresses pick another shard.
    const entry = { type: 'leave', path: '/article', entry: true };
    const skimmed = { engaged_ms: 3000, scroll_pct: 10 };
    for (let reader = 1; reader <= 8; reader += 1) {
      const userAgent = `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Mover/${reader}`;
      const leaveId = `00000000000000e${reader}`;
      await send({ path: '/article' }, '198.51.100.1', userAgent);
      await send({ ...entry, id: leaveId, ...skimmed }, '198.51.100.1', userAgent);
      const update = { ...entry, id: `00000000000000f${reader}`, engaged_ms: 9000, scroll_pct: 50 };
      await send({ ...update, replaces: { id: leaveId, after_ms: 5_000, ...skimmed } }, `203.0.113.${reader}`, userAgent);
    }
    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/moving/page?path=/article&from=${day}&to=${day}`, { token: site.viewer_token });
    assert.equal(res.status, 200, await res.clone().text());
    const { summary } = await res.json();
    assert.equal(summary.engaged_time_ms.count, 8, 'one leave per reader: each update replaced its leave, on whichever shard counted it');
    assert.ok(summary.scroll_depth_pct.quantiles.every((q) => Math.abs(q.value - 50) <= 1), JSON.stringify(summary.scroll_depth_pct));
    assert.ok(summary.engaged_time_ms.quantiles.every((q) => Math.abs(q.value - 9000) <= 90), JSON.stringify(summary.engaged_time_ms));
  });

  test('answers 503, naming nothing internal, when one of four shards cannot be read', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'failing-shard', { shards: 4 });
    for (let visitor = 0; visitor < 40; visitor += 1) {
      const userAgent = `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Visitor/${visitor}`;
      const res = await postBeacon(env.edge.url, { site: 'failing-shard', path: `/page-${visitor % 5}` }, { 'User-Agent': userAgent });
      assert.equal(res.status, 202);
    }
    const day = todayUtc();
    const range = `from=${day}&to=${day}`;
    const read = (route, token = site.viewer_token) => apiRequest(env.edge.url, 'GET', `/api/v1/sites/failing-shard/${route}`, { token });
    // A read flushes every shard: their records are in storage before the edge stops.
    assert.equal((await (await read(`pages?${range}`)).json()).totals.views, 40);

    // A disk fault in shard 2: one byte of one of its page records flipped, which the codec's
    // checksum catches.
    await env.restart({
      whileStopped: async () => {
        const file = await shardDatabase(env.persistDir, 'failing-shard', 2);
        assert.ok(file, "shard 2's database");
        await rewriteSqlite(file, (db) => {
          const [[recordDay, path, record]] = db.exec('SELECT day, path, record FROM page_days LIMIT 1')[0].values;
          const flipped = Uint8Array.from(record);
          flipped[flipped.length >> 1] ^= 0xff;
          db.run('UPDATE page_days SET record = ? WHERE day = ? AND path = ?', [flipped, recordDay, path]);
        });
      },
    });
    for (const route of [`summary?${range}`, `pages?${range}`, `page?path=/page-1&${range}`, `insights?${range}`]) {
      const res = await read(route);
      const body = await res.clone().json();
      await assertJsonError(res, 503, route);
      assert.doesNotMatch(body.error, /shard|page_days|checksum|record|internal/i, 'nothing internal');
    }
    const html = await edgeFetch(`${env.edge.url}/s/failing-shard?key=${site.viewer_token}&${range}`);
    assert.equal(html.status, 503);
    // The token is still checked first: a wrong one learns nothing of the fault.
    await assertJsonError(await read(`summary?${range}`, 'wrong'), 401);
  });

  test('answers the merged summary only to the viewer token', async () => {
    const target = '/api/v1/sites/four-shards/pages';
    await assertJsonError(await apiRequest(env.edge.url, 'GET', target, { token: 'wrong' }), 401);
    await assertJsonError(await apiRequest(env.edge.url, 'GET', target, { token: env.edge.adminToken }), 401);
  });

  test('refuses to lower the shard count, and deletes every shard with the site', async () => {
    const res = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/four-shards', {
      token: env.edge.adminToken, body: { shards: 2 },
    });
    await assertJsonError(res, 400);
    const deleted = await apiRequest(env.edge.url, 'DELETE', '/api/v1/sites/four-shards', { token: env.edge.adminToken });
    assert.equal(deleted.status, 204);
    const again = await createSite(env.edge.url, env.edge.adminToken, 'four-shards', { shards: 4 });
    const result = await pages(env.edge.url, 'four-shards', again.viewer_token);
    assert.deepEqual([result.totals.views, result.pages], [0, []], 'no shard kept a record');
  });
});
