// What a visitor did on a page reaches the marketer's figures: the leave beacon a real browser
// sends as the page unloads is counted at the edge, so bounces, engagement and time on page come
// from real Chromium, not only from hand-made beacons.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serveDemo } from '../www/serve-demo.mjs';
import { humanBrowserAs, UA_WINDOWS } from './support/browser.mjs';
import { waitForViews } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';

describe('leave aggregation', () => {
  const env = useEdge();
  let browser;
  let demo;
  const summary = async () => {
    const res = await fetch(`${env.edge.url}/api/v1/sites/demo/summary`, {
      headers: { Authorization: `Bearer ${env.site.viewer_token}` },
    });
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
});
