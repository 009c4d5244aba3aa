// A site that publishes its summary (`public: true`): anyone may open /s/<site> without a token
// and read unique visitors per day, in total and per page, with Laplace noise of the site's ε;
// the same range always shows the same figures; a site that does not publish answers 401; the
// viewer token still opens the exact summary. HTTP against `wrangler dev`, and the page in
// Chromium.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { apiRequest, createSite, postBeacon, todayUtc } from './support/edge.mjs';
import { assertJsonError, atEachScreen, RESULTS_DIR, useEdge } from './support/fixtures.mjs';

describe('public summary', () => {
  const env = useEdge();
  const visitor = (n) => `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Reader/${n}`;
  const today = todayUtc();

  test('shows noisy unique visitors to anyone, the same on every request, and nothing else', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'open', { public: true, epsilon: 1, k: 5 });
    assert.equal(site.settings.public, true);
    for (let n = 0; n < 30; n += 1) {
      for (const page of n < 20 ? ['/', '/pricing'] : ['/']) {
        const res = await postBeacon(env.edge.url, { site: 'open', path: page }, { 'User-Agent': visitor(n) });
        assert.equal(res.status, 202);
      }
    }
    const res = await postBeacon(env.edge.url, { site: 'open', path: '/one-visitor' }, { 'User-Agent': visitor(99) });
    assert.equal(res.status, 202);

    const read = async () => {
      const answer = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/open/public?from=${today}&to=${today}`);
      assert.equal(answer.status, 200, await answer.clone().text());
      return answer.json();
    };
    const summary = await read();
    assert.deepEqual(await read(), summary, 'the same range, the same noise');
    assert.equal(summary.epsilon, 1);
    assert.equal(summary.daily_margin, 3);
    // One day at ε = 1: Laplace noise of scale 1 (± 3 at 95 %); within ± 10 but once in 20,000.
    assert.ok(Math.abs(summary.visitors - 31) <= 10, `31 visitors, published ${summary.visitors}`);
    const published = Object.fromEntries(summary.pages.map((p) => [p.path, p.visitors]));
    assert.ok(Math.abs(published['/'] - 30) <= 10, `/: ${published['/']}`);
    assert.ok(Math.abs(published['/pricing'] - 20) <= 10, `/pricing: ${published['/pricing']}`);
    assert.equal(published['/one-visitor'], undefined, 'a page of one visitor is not listed');
    assert.equal(summary.page_threshold, 10, 'one day at ε = 1: 1 + ln 5000, above k = 5');
    assert.deepEqual(Object.keys(summary).sort(), ['daily', 'daily_margin', 'epsilon', 'from', 'page_margin', 'page_threshold', 'pages', 'to', 'visitors', 'visitors_margin']);

    // The page, without a token: the same figures, no way into the marketers' pages.
    const page = await apiRequest(env.edge.url, 'GET', `/s/open?from=${today}&to=${today}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy'), /default-src 'none'/);
    const html = await page.text();
    assert.match(html, /Public summary/);
    assert.ok(!html.includes('/s/open/p'), 'no links to page reports');
    assert.match(html, new RegExp(`ε = 1\\b`));

    // The viewer token still opens the exact summary.
    const exact = await apiRequest(env.edge.url, 'GET', '/api/v1/sites/open/summary', { token: site.viewer_token });
    assert.equal((await exact.json()).summary.metrics.visitors.current, 31);
  });

  test('a site that does not publish, or a wrong token, gets no public summary', async () => {
    await createSite(env.edge.url, env.edge.adminToken, 'closed');
    await assertJsonError(await apiRequest(env.edge.url, 'GET', '/s/closed'), 401, 'a closed site without a token');
    await assertJsonError(await apiRequest(env.edge.url, 'GET', '/api/v1/sites/closed/public'), 401, 'its public API');
    await assertJsonError(await apiRequest(env.edge.url, 'GET', '/s/open', { token: 'wrong' }), 401, 'a wrong token is not "no token"');
    await assertJsonError(await apiRequest(env.edge.url, 'GET', '/api/v1/sites/nosuch/public'), 404, 'an unknown site');
    for (const epsilon of [0, 0.05, 11, 'high']) {
      const res = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/closed', { token: env.edge.adminToken, body: { epsilon } });
      await assertJsonError(res, 400, `epsilon ${epsilon}`);
    }
    const opened = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/closed', { token: env.edge.adminToken, body: { public: true } });
    assert.equal(opened.status, 200);
    assert.equal((await apiRequest(env.edge.url, 'GET', '/api/v1/sites/closed/public')).status, 200);
  });

  test('the public page reads at phone and desktop width', async () => {
    await atEachScreen(async (page, name) => {
      const res = await page.goto(`${env.edge.url}/s/open`);
      assert.equal(res.status(), 200);
      assert.match(await page.locator('#noise').textContent(), /differential-privacy noise/);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: ${overflow}px too wide`);
      await page.screenshot({ path: path.join(RESULTS_DIR, `public-summary-${name}.png`), fullPage: true });
    });
  });
});
