// Engagement: what a page view's leave beacon says about the visitor who read it, or did not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiRequest, todayUtc } from './support/edge.mjs';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const ARTICLE = page('<h1>A long read</h1><div style="height:4000px"></div>');

/**
 * Switches `tab` away (`'hidden'`) or back (`'visible'`) as the browser reports it to the page:
 * headless Chromium never hides a tab (no CDP command does either), so the page's
 * `visibilityState` and its `visibilitychange` event are played here.
 */
const switchTab = (tab, state) => tab.evaluate((state) => {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}, state);

describe('engagement', () => {
  const env = useSnippet();

  test('reports a reader who scrolls to 80 % and stays 20 s as an engaged entry that exits', async () => {
    const { page: tab } = await env.open({ 'article.html': ARTICLE }, { path: '/article.html', clock: true });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.evaluate(() => scrollTo(0, document.documentElement.scrollHeight * 0.8 - innerHeight));
    await tab.waitForFunction(() => scrollY > 0);
    await tab.clock.runFor(20_000);
    const leave = await env.leave(tab, '/article.html');

    assert.equal(leave.scroll_pct, 80);
    assert.ok(leave.engaged_ms >= 20_000 && leave.engaged_ms < 22_000, `engaged ${leave.engaged_ms} ms`);
    assert.equal(leave.entry, true);
    assert.equal(leave.referrer, undefined, 'a direct entry names no referrer');
    assert.equal(leave.next, undefined, 'an exit: no next page');
    assert.equal(leave.quick_back, false);
    assert.deepEqual(env.recorder.beacons.map((b) => b.type), ['view', 'leave'], 'one view, one leave, nothing else');
    await env.allAccepted();

    // The edge counted the leave: an engaged visit, its engaged time and its scroll depth.
    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/demo/summary?from=${day}&to=${day}`, { token: env.site.viewer_token });
    const { metrics } = (await res.json()).summary;
    assert.equal(metrics.engagement_rate.current, 1);
    assert.equal(metrics.bots_dropped.current, 0, 'the leave is a person\'s, not a bot\'s');
    assert.ok(Math.abs(metrics.median_engaged_ms.current - leave.engaged_ms) <= leave.engaged_ms * 0.01,
      `median engaged ${metrics.median_engaged_ms.current} ms for ${leave.engaged_ms}`);
    assert.ok(Math.abs(metrics.median_scroll_pct.current - 80) <= 0.8, `median scroll ${metrics.median_scroll_pct.current}`);
  });

  test('sends the leave when the tab is hidden, and an update when the reader comes back and reads on', async () => {
    const { page: tab } = await env.open({ 'reading.html': ARTICLE }, { path: '/reading.html', clock: true });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.clock.runFor(5_000);
    await switchTab(tab, 'hidden');
    const [hidden] = ofType(await env.waitFor((b) => ofType(b, 'leave').length === 1, 'the leave at hide'), 'leave');
    assert.ok(hidden.engaged_ms >= 5_000 && hidden.engaged_ms < 6_000, `engaged ${hidden.engaged_ms} ms`);
    assert.ok(hidden.scroll_pct > 0 && hidden.scroll_pct < 30, `the first screen only: ${hidden.scroll_pct} %`);
    assert.equal(hidden.replaces, undefined);

    // An hour in another tab counts for nothing; then the reader is back, and reads to 80 %.
    await tab.clock.runFor(3_600_000);
    await switchTab(tab, 'visible');
    await tab.evaluate(() => scrollTo(0, document.documentElement.scrollHeight * 0.8 - innerHeight));
    await tab.waitForFunction(() => scrollY > 0);
    await tab.clock.runFor(20_000);
    await tab.goto('about:blank');
    const [, update] = ofType(await env.waitFor((b) => ofType(b, 'leave').length === 2, 'the update at leave'), 'leave');
    assert.ok(update.engaged_ms >= hidden.engaged_ms + 20_000 && update.engaged_ms < hidden.engaged_ms + 22_000,
      `engaged ${update.engaged_ms} ms in all`);
    assert.equal(update.scroll_pct, 80);
    const { after_ms: afterMs, ...replaced } = update.replaces;
    assert.ok(afterMs >= 3_620_000 && afterMs < 3_630_000, `sent ${afterMs} ms after the first`);
    const { engaged_ms: engagedMs, scroll_pct: scrollPct, interactions } = hidden;
    assert.deepEqual({ engaged_ms: replaced.engaged_ms, scroll_pct: replaced.scroll_pct, interactions: replaced.interactions },
      { engaged_ms: engagedMs, scroll_pct: scrollPct, interactions }, 'it replaces what the first leave said');
    assert.deepEqual(env.recorder.beacons.map((b) => b.type), ['view', 'leave', 'leave'], 'no other beacon');
    await env.allAccepted();

    // The edge counts one leave for the view, with the update's figures.
    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/demo/page?path=/reading.html&from=${day}&to=${day}`, { token: env.site.viewer_token });
    const { summary } = await res.json();
    assert.equal(summary.engaged_time_ms.count, 1, 'one leave: the update replaced the first');
    assert.equal(summary.scroll_depth_pct.quantiles.at(-1).value, 80);
  });

  test('updates the leave of a single-page app\'s route, hidden and then left for the next route', async () => {
    const app = page('<h1>App</h1><button id="next" onclick="history.pushState({}, \'\', \'/app/next\')">Next</button>');
    const { page: tab } = await env.open({ 'app/index.html': app }, { path: '/app/', clock: true });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.clock.runFor(3_000);
    await switchTab(tab, 'hidden');
    const [hidden] = ofType(await env.waitFor((b) => ofType(b, 'leave').length === 1, 'the leave at hide'), 'leave');
    assert.equal(hidden.next, undefined, 'an exit, as far as anyone knows then');

    await tab.clock.runFor(60_000);
    await switchTab(tab, 'visible');
    await tab.clock.runFor(4_000);
    await tab.click('#next');
    const beacons = await env.waitFor((b) => ofType(b, 'view').length === 2 && ofType(b, 'leave').length === 2,
      'the next route\'s view and the update');
    const update = ofType(beacons, 'leave')[1];
    assert.equal(update.path, '/app/');
    assert.equal(update.next, '/app/next', 'the route it led to after all');
    assert.equal(update.replaces.next, undefined);
    assert.equal(update.replaces.engaged_ms, hidden.engaged_ms);
    assert.ok(update.engaged_ms >= hidden.engaged_ms + 4_000, `engaged ${update.engaged_ms} ms in all`);
    assert.equal(ofType(beacons, 'view')[1].previous, '/app/');
    await env.allAccepted();
  });

  test('reports a visitor who bounces in 2 s as an entry from its referrer with no next page', async () => {
    const { page: tab } = await env.open({ 'landing.html': ARTICLE }, { path: '/landing.html', clock: true,
      referer: 'https://news.example/item/1' });
    const [view] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.clock.runFor(2_000);
    const leave = await env.leave(tab, '/landing.html');

    assert.equal(view.referrer, 'news.example');
    assert.equal(view.previous, undefined);
    assert.equal(leave.entry, true);
    assert.equal(leave.referrer, 'news.example');
    assert.equal(leave.next, undefined);
    assert.ok(leave.engaged_ms >= 2_000 && leave.engaged_ms < 3_000, `engaged ${leave.engaged_ms} ms`);
    assert.equal(leave.interactions, 0);
    assert.equal(ofType(env.recorder.beacons, 'leave').length, 1, 'one leave per view');
    // The recorder holds a beacon before the edge has answered it: read the counts after.
    await env.allAccepted();
    const pages = await env.pages();
    assert.equal(pages.pages.find((p) => p.path === '/landing.html')?.views, 1);
  });
});
