// What a visitor did on a page reaches the marketer's figures: the leave beacon a real browser
// sends as the page unloads is counted at the edge, so bounces, engagement and time on page come
// from real Chromium, not only from hand-made beacons.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serveDemo } from '../www/serve-demo.mjs';
import { humanBrowserAs, UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, edgeFetch, postBeacon, todayUtc, waitForViews } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';

describe('leave aggregation', () => {
  const env = useEdge();
  let browser;
  let demo;
  const summary = async () => {
    const res = await edgeFetch(`${env.edge.url}/api/v1/sites/demo/summary`, {
      headers: { Authorization: `Bearer ${env.site.viewer_token}` },
    });
    return (await res.json()).summary;
  };
  /** Posts a beacon of the demo site as a Windows Chrome reader, which the edge accepts. */
  const send = async (body, headers = {}) => {
    const res = await postBeacon(env.edge.url, { site: 'demo', ...body }, { 'User-Agent': UA_WINDOWS, ...headers });
    assert.equal(res.status, 202, `${JSON.stringify(body)}: ${await res.text()}`);
  };
  /** Today's summary of the page `path` (reading it makes the shard write its records). */
  const pageSummary = async (path) => {
    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/demo/page?path=${path}&from=${day}&to=${day}`, { token: env.site.viewer_token });
    assert.equal(res.status, 200);
    return (await res.json()).summary;
  };

  before(async () => {
    browser = await humanBrowserAs(UA_WINDOWS);
    demo = await serveDemo({ edge: env.edge.url, site: 'demo' });
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  test('counts a visit that ends on its first page as a bounce, with its engaged time', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.url.replace('127.0.0.1', 'localhost')}/pricing.html`);
    await waitForViews(() => env.pages(), (r) => r.totals.views >= 1);
    await page.goto('about:blank');
    const result = await waitForViews(summary, (s) => s.metrics.bounce_rate.current !== null);
    assert.equal(result.metrics.visits.current, 1);
    assert.equal(result.metrics.bounce_rate.current, 1, 'one visit, one page, a second on it: a bounce');
    assert.equal(result.metrics.bots_dropped.current, 0, 'the leave was not taken for a bot');
    assert.ok(result.metrics.median_engaged_ms.current !== null, 'engaged time arrived');
    await page.close();
  });

  test('counts a leave replaced by its update once, with the update\'s figures, unless it was counted on an earlier day', async () => {
    const entry = { type: 'leave', path: '/article', entry: true };
    const hidden = { engaged_ms: 4000, scroll_pct: 30, interactions: 1 };
    await send({ path: '/article' });
    await send({ ...entry, id: '00000000000000a1', ...hidden });
    // The visitor came back a minute later, read on and followed a link (not before midnight).
    const sinceMidnight = Date.now() % 864e5;
    const readOn = { engaged_ms: 40000, scroll_pct: 90, interactions: 6, next: '/pricing' };
    const replacesHidden = { id: '00000000000000a1', after_ms: Math.min(60_000, sinceMidnight), ...hidden };
    await send({ ...entry, id: '00000000000000a2', ...readOn, replaces: replacesHidden });
    // An update of a leave sent yesterday: that day's record is closed, and today's would
    // count the view's leave a second time.
    const replacesYesterday = { id: '00000000000000a2', after_ms: sinceMidnight + 3_600_000, ...readOn };
    await send({ ...entry, id: '00000000000000a3', engaged_ms: 90000, scroll_pct: 100, replaces: replacesYesterday });

    const summary = await pageSummary('/article');
    assert.equal(summary.metrics.exit_rate.page, 0, 'the exit became a next page');
    assert.equal(summary.metrics.bounce_rate.page, 0, 'a bounce no more: an engaged visit');
    assert.deepEqual(summary.next_pages.map((row) => [row.label, row.count]), [['/pricing', 1]]);
    assert.equal(summary.engaged_time_ms.count, 1, 'one leave: the first replaced, the late update not counted');
    assert.equal(summary.scroll_depth_pct.quantiles.at(-1).value, 90, 'the deepest scroll is the update\'s');
    const engaged = summary.metrics.median_engaged_ms.page;
    assert.ok(Math.abs(engaged - 40000) <= 400, `the update's engaged time, within 1 %: ${engaged}`);
    assert.ok(Math.abs(summary.metrics.median_scroll_pct.page - 90) <= 1, 'the update\'s scroll depth');
  });

  test('counts an update whose leave never arrived as a leave of its own, and not the lost leave\'s late retry', async () => {
    const entry = { type: 'leave', path: '/lost', entry: true };
    const lost = { id: '00000000000000b1', engaged_ms: 3000, scroll_pct: 10 };
    await send({ path: '/lost' });
    // The leave sent at hide never reached the edge; the update that stands for it does.
    const { id, ...lostFigures } = lost;
    await send({ ...entry, id: '00000000000000b2', engaged_ms: 25000, scroll_pct: 70, replaces: { id, after_ms: 30_000, ...lostFigures } });
    await send({ ...entry, ...lost }); // the lost leave, retried late: already stood for

    const summary = await pageSummary('/lost');
    assert.equal(summary.engaged_time_ms.count, 1, 'one leave, the update\'s');
    assert.ok(Math.abs(summary.metrics.median_engaged_ms.page - 25000) <= 250, `${summary.metrics.median_engaged_ms.page}`);
    assert.equal(summary.metrics.bounce_rate.page, 0, 'an engaged visit: 25 s');
  });

  test('lets an update replace its leave until the day ends, and takes nothing back for a leave that never arrived', async () => {
    const entry = { type: 'leave', path: '/late', entry: true };
    const skimmed = { engaged_ms: 3000, scroll_pct: 10 };
    await send({ path: '/late' });
    await send({ path: '/late' });
    // The first reader's leave arrives; the second's, with the same figures, never does.
    await send({ ...entry, id: '00000000000000c1', ...skimmed });
    // A read makes the shard write its records and the ids: the leave is no longer only in memory.
    assert.equal((await pageSummary('/late')).engaged_time_ms.count, 1);
    // Both come back 20 minutes later (not before midnight), past the de-duplication window.
    const late = Math.min(20 * 60_000, Date.now() % 864e5);
    await send({ ...entry, id: '00000000000000c3', engaged_ms: 25000, scroll_pct: 70, replaces: { id: '00000000000000c2', after_ms: late, ...skimmed } });
    const lostReplaced = await pageSummary('/late');
    assert.equal(lostReplaced.engaged_time_ms.count, 2, 'the lost leave\'s update is a leave of its own, and took back nothing');
    assert.ok(Math.abs(lostReplaced.engaged_time_ms.quantiles[0].value - 3000) <= 30, 'the first reader\'s leave is still counted');
    await send({ ...entry, id: '00000000000000c4', engaged_ms: 9000, scroll_pct: 50, replaces: { id: '00000000000000c1', after_ms: late, ...skimmed } });

    const summary = await pageSummary('/late');
    assert.equal(summary.engaged_time_ms.count, 2, 'the counted leave\'s update replaced it');
    // Of two values, every quantile shown is the lower one: the replacing leave's, not the
    // 10 % and 3 s it replaced.
    assert.ok(summary.scroll_depth_pct.quantiles.every((q) => Math.abs(q.value - 50) <= 1), JSON.stringify(summary.scroll_depth_pct));
    assert.ok(summary.engaged_time_ms.quantiles.every((q) => Math.abs(q.value - 9000) <= 90), JSON.stringify(summary.engaged_time_ms));
  });

  test('counts an update as a leave of its own when its leave was kept to the consent tally, taking nothing back', async () => {
    const entry = { type: 'leave', path: '/gpc', entry: true };
    const skimmed = { engaged_ms: 3000, scroll_pct: 10 };
    await send({ path: '/gpc' });
    await send({ ...entry, id: '00000000000000d1', ...skimmed });
    // The browser's Global Privacy Control header opts this leave out: the tally only.
    await send({ ...entry, id: '00000000000000d2', ...skimmed }, { 'Sec-GPC': '1' });
    await send({ ...entry, id: '00000000000000d3', engaged_ms: 25000, scroll_pct: 70, replaces: { id: '00000000000000d2', after_ms: 5_000, ...skimmed } });

    const summary = await pageSummary('/gpc');
    assert.equal(summary.engaged_time_ms.count, 2, 'the first leave and the update: nothing of the first taken back');
    assert.ok(Math.abs(summary.engaged_time_ms.quantiles[0].value - 3000) <= 30, JSON.stringify(summary.engaged_time_ms));
  });
});
