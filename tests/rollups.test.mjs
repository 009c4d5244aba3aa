// Rollups: each shard stores the records of every closed ISO week and calendar month merged, at
// its daily maintenance, and reads a range from them, from single days and from the open day
// (crates/aggregate/src/rollup.rs, crates/report/src/stored_range.rs). The figures must be those
// of merging the days one by one: before and after a restart, after a crash that left no
// rollup, and across a retention cut that deletes some of a rollup's days.
//
// The site's 41 days run from Thursday 2027-01-21 to Wednesday 2027-03-03 (February 2027 starts
// on a Monday, so a range over it holds a whole week and a whole month). The edge's clock is set
// to each day in turn (TACIT_CLOCK_OFFSET_MS, one restart per day with traffic). The figures of
// the days one by one come from the same storage read with the clock set back to the range's
// first day: the whole range is then "open", and is read day by day, with no rollup. HTTP only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiRequest, createSite, edgeFetch, postBeacon } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';
import { openSqliteCopy, shardDatabase } from './support/sqlite-file.mjs';

const DAY_MS = 86_400_000;
/** The edge's clock at noon of `day`: far from either midnight while a step runs. */
const clockAt = (day) => ({ TACIT_CLOCK_OFFSET_MS: Date.parse(`${day}T12:00:00Z`) - Date.now() });
const dayNumber = (day) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** The days with traffic: both ends, days inside the week and the month, and their edges. */
const TRAFFIC_DAYS = [
  '2027-01-21', '2027-01-22', '2027-01-24', '2027-01-25', '2027-01-27', '2027-01-31', '2027-02-01',
  '2027-02-09', '2027-02-14', '2027-02-20', '2027-02-28', '2027-03-01', '2027-03-02',
];
/** Thursday to Tuesday: days, the week of 25 January, February, days. */
const RANGE = { from: '2027-01-22', to: '2027-03-02' };
/** The first day retention keeps in the last step: the week of 25 January loses two days. */
const FIRST_KEPT = '2027-01-27';
const REFERRERS = ['news.example.com', 't.co', null];

/** Day number `n`'s beacons: a few pages, visitors, referrers, and leaves of every kind. */
function beaconsOf(n) {
  const beacons = [];
  for (let page = 0; page < 3 + (n % 4); page += 1) {
    const path = `/docs/${page}`;
    for (let visitor = 0; visitor < 1 + ((n + page) % 3); visitor += 1) {
      const userAgent = `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Visitor/${(n * 7 + page * 3 + visitor) % 23}`;
      const referrer = REFERRERS[(n + visitor) % 3];
      const entry = referrer !== null || page === 0;
      const view = referrer ? { referrer } : page > 0 ? { previous: `/docs/${page - 1}` } : {};
      const leave = {
        type: 'leave', path, entry, engaged_ms: 500 + ((n * 977 + page * 131 + visitor * 17) % 60_000),
        scroll_pct: (n * 13 + page * 29) % 101, interactions: (n + visitor) % 5,
        ...((n + page + visitor) % 3 === 0 ? { next: `/docs/${page + 1}` } : {}),
      };
      beacons.push([{ path, ...view }, userAgent], [leave, userAgent]);
    }
  }
  return beacons;
}

describe('rollups', () => {
  const env = useEdge();
  let site;
  /** The same beacons, in a site of 4 shards: each sends the worker what it keeps of a range. */
  let sharded;
  const read = async (route, { from, to }, { id, viewer_token: token } = site) => {
    const separator = route.includes('?') ? '&' : '?';
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${id}/${route}${separator}from=${from}&to=${to}`, { token });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };
  /** What the pages and the API show of a range: the site report, a page's, the pages table. */
  const shown = async (range, of = site) => ({
    site: await read('summary', range, of),
    page: await read('page?path=/docs/1', range, of),
    pages: { ...await read('pages', range, of), site: 'rollups' },
  });
  /** Stored rollups of the site's shard, as [first day, last day] numbers. */
  const storedRollups = async () => {
    const db = await openSqliteCopy(await shardDatabase(env.persistDir, 'rollups'));
    try {
      return db.exec('SELECT first_day, last_day FROM rollups ORDER BY first_day, last_day')[0]?.values ?? [];
    } finally {
      db.close();
    }
  };
  const week = [dayNumber('2027-01-25'), dayNumber('2027-01-31')];
  const february = [dayNumber('2027-02-01'), dayNumber('2027-02-28')];

  let oneByOne;
  let keptOneByOne;

  test('a site seeded day by day, with crashes, has its closed weeks and months rolled up', async () => {
    site = await createSite(env.edge.url, env.edge.adminToken, 'rollups');
    sharded = await createSite(env.edge.url, env.edge.adminToken, 'rollups-sharded', { shards: 4 });
    for (const [n, day] of TRAFFIC_DAYS.entries()) {
      // Every other step is a crash: the day's beacons are in the journal, not yet in its
      // records, and no rollup covers them until the next start replays and maintains.
      await env.restart({ vars: clockAt(day), crash: n % 2 === 1 });
      for (const [body, userAgent] of beaconsOf(n)) {
        for (const id of [site.id, sharded.id]) {
          const res = await postBeacon(env.edge.url, { site: id, ...body }, { 'User-Agent': userAgent });
          assert.equal(res.status, 202, await res.text());
        }
      }
    }
    await env.restart({ vars: clockAt('2027-03-03'), crash: true });
    // The first request replays the journal, then maintains: the rollups are written then.
    const { site: summary } = await shown(RANGE);
    assert.ok(summary.summary.metrics.views.current > 100);
    const rollups = await storedRollups();
    for (const period of [week, february]) {
      assert.ok(rollups.some(([first, last]) => first === period[0] && last === period[1]), `${period} in ${JSON.stringify(rollups)}`);
    }
  });

  test('the days one by one: the range read with the clock at its first day, no rollup used', async () => {
    await env.restart({ vars: clockAt(RANGE.from) });
    oneByOne = await shown(RANGE);
    await env.restart({ vars: clockAt(FIRST_KEPT) });
    keptOneByOne = await shown({ ...RANGE, from: FIRST_KEPT });
    assert.equal(oneByOne.site.summary.visitors_counted_per_day, true);
  });

  test('a range read from rollups gives the figures of its days one by one, before and after a restart', async () => {
    await env.restart({ vars: clockAt('2027-03-03') });
    const cold = await shown(RANGE);
    assert.deepEqual(cold, oneByOne);
    assert.deepEqual(await shown(RANGE), oneByOne, 'read again, warm');
    await env.restart({ vars: clockAt('2027-03-03') });
    assert.deepEqual(await shown(RANGE), oneByOne, 'after a restart');
    // Over 4 shards: each reads its rollups, keeps the range and sends it as kept. Sums of
    // fractions merged in another order may differ in their last bits.
    const rounded = (value) => JSON.parse(JSON.stringify(value, (key, inner) => (
      typeof inner === 'number' && !Number.isInteger(inner) ? Number(inner.toPrecision(12)) : inner)));
    assert.deepEqual(rounded(await shown(RANGE, sharded)), rounded(oneByOne), '4 shards, cold');
    assert.deepEqual(rounded(await shown(RANGE, sharded)), rounded(oneByOne), '4 shards, warm');
    const { summary } = oneByOne.site;
    assert.ok(summary.metrics.bounce_rate.current > 0 && summary.exit_pages.length > 0 && summary.referrers.length > 1);
    assert.ok(oneByOne.page.summary.engaged_time_ms.count > 0);
  });

  test('across a retention cut, a rollup goes with its first days and the range counts the days left', async () => {
    const res = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/rollups', {
      token: env.edge.adminToken, body: { retention_days: Math.round((dayNumber('2027-03-03') - dayNumber(FIRST_KEPT))) + 1 },
    });
    assert.equal(res.status, 200, await res.clone().text());
    // The maintenance applies the retention: at midnight, or as the edge starts.
    await env.restart({ vars: clockAt('2027-03-03') });
    const rollups = await storedRollups();
    assert.ok(rollups.every(([first]) => first >= dayNumber(FIRST_KEPT)), JSON.stringify(rollups));
    assert.ok(rollups.some(([first, last]) => first === february[0] && last === february[1]));
    // The period each range is compared with lost its days to retention too: only the range's
    // own figures are compared, without the comparison (and the cards, which build on it).
    const without = (keys) => (value) => JSON.parse(JSON.stringify(value, (key, inner) => (keys.includes(key) ? undefined : inner)));
    const comparison = ['previous', 'previous_daily', 'change', 'difference', 'insights'];
    const ownFigures = without(comparison);
    assert.deepEqual(ownFigures(await shown({ ...RANGE, from: FIRST_KEPT })), ownFigures(keptOneByOne));
    // Over the whole range, the week's days left are read one by one: the same figures as the
    // days kept, whatever the range's longer daily series shows.
    const undated = without([...comparison, 'from', 'to', 'daily']);
    assert.deepEqual(undated(await shown(RANGE)), undated(keptOneByOne));
  });

  test('over 4 shards, the closed days the worker holds merged give way to a retention cut at once', async () => {
    // The worker holds the range's closed days merged over the shards (crates/edge/src/
    // held_ranges.rs) from this first read; the cut changes every shard's closed records, with
    // no restart in between: the next read must count the days left, not the days held.
    const rounded = (value) => JSON.parse(JSON.stringify(value, (key, inner) => (
      typeof inner === 'number' && !Number.isInteger(inner) ? Number(inner.toPrecision(12)) : inner)));
    const before = rounded(await shown(RANGE, sharded));
    assert.deepEqual(rounded(await shown(RANGE, sharded)), before, 'read again, from what is held');
    const res = await apiRequest(env.edge.url, 'PATCH', `/api/v1/sites/${sharded.id}`, {
      token: env.edge.adminToken, body: { retention_days: Math.round((dayNumber('2027-03-03') - dayNumber(FIRST_KEPT))) + 1 },
    });
    assert.equal(res.status, 200, await res.clone().text());
    const undated = (value) => JSON.parse(JSON.stringify(value, (key, inner) => (
      ['previous', 'previous_daily', 'change', 'difference', 'insights', 'from', 'to', 'daily'].includes(key) ? undefined : inner)));
    const after = await shown(RANGE, sharded);
    assert.notDeepEqual(after.site.summary.metrics.views, before.site.summary.metrics.views);
    assert.deepEqual(rounded(undated(after)), rounded(undated(keptOneByOne)));
  });

  test('the site page says that visitors are counted per day over a range of days, not over one day', async () => {
    const page = async ({ from, to }) => {
      const res = await edgeFetch(`${env.edge.url}/s/rollups?key=${site.viewer_token}&from=${from}&to=${to}`);
      assert.equal(res.status, 200);
      return res.text();
    };
    const sentence = 'Visitors are counted per day; a person returning on another day counts again.';
    assert.ok((await page(RANGE)).includes(sentence));
    assert.ok(!(await page({ from: '2027-03-02', to: '2027-03-02' })).includes(sentence));
    assert.equal((await read('summary', { from: '2027-03-02', to: '2027-03-02' })).summary.visitors_counted_per_day, false);
  });
});
