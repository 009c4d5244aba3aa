// Engagement: what a page view's leave beacon says about the visitor who read it, or did not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiRequest, todayUtc } from './support/edge.mjs';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const ARTICLE = page('<h1>A long read</h1><div style="height:4000px"></div>');

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
    assert.equal(leave.channel, '(direct)');
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

  test('reports a visitor who bounces in 2 s as an entry from its referrer with no next page', async () => {
    const { page: tab } = await env.open({ 'landing.html': ARTICLE }, { path: '/landing.html', clock: true,
      referer: 'https://news.example/item/1' });
    const [view] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.clock.runFor(2_000);
    const leave = await env.leave(tab, '/landing.html');

    assert.equal(view.referrer, 'news.example');
    assert.equal(view.previous, undefined);
    assert.equal(leave.entry, true);
    assert.equal(leave.channel, 'news.example');
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
