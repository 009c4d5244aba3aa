// The segment gap card: a page where one segment's visits bounce far more than the rest of its
// dimension's gets a card that says so with its counts, and links to the page's report for that
// segment, in the API and on the page; a segment seen by fewer than k visitors is named nowhere.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { edgeFetch, postBeacon, waitForViews } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';
import { visitorAgent } from './support/small-site.mjs';

const K = 5;

// Who lands on /pricing from Google: 70 on phones, 56 of whom bounce; 70 on desktops, 14 of
// whom bounce (the others go on to /signup); 3 on tablets, fewer than k, who bounce.
const BOUNCE = { engaged_ms: 2_000, scroll_pct: 10 };
const ONWARD = { engaged_ms: 30_000, scroll_pct: 80, next: '/signup' };
const GROUPS = [
  { n: 56, first: 0, viewport: 'mobile', leave: BOUNCE },
  { n: 14, first: 100, viewport: 'mobile', leave: ONWARD },
  { n: 14, first: 200, viewport: 'desktop', leave: BOUNCE },
  { n: 56, first: 300, viewport: 'desktop', leave: ONWARD },
  { n: 3, first: 400, viewport: 'tablet', leave: BOUNCE },
];
const VISITORS = GROUPS.reduce((sum, group) => sum + group.n, 0);

describe('segment gap insight', () => {
  const env = useEdge({ settings: { k: K } });
  const api = (route) => edgeFetch(`${env.edge.url}/api/v1/sites/demo/${route}`, {
    headers: { Authorization: `Bearer ${env.site.viewer_token}` },
  });
  const json = async (route) => {
    const res = await api(route);
    assert.equal(res.status, 200, `${route}: ${await res.clone().text()}`);
    return res.json();
  };

  before(async () => {
    for (const { n, first, viewport, leave } of GROUPS) {
      for (let v = first; v < first + n; v++) {
        const view = { referrer: 'www.google.com', viewport };
        for (const body of [{ path: '/pricing', ...view }, { type: 'leave', path: '/pricing', entry: true, ...view, ...leave }]) {
          const res = await postBeacon(env.edge.url, { site: 'demo', ...body }, { 'User-Agent': visitorAgent(v) });
          assert.equal(res.status, 202, await res.text());
        }
      }
    }
    await waitForViews(() => env.pages(), (r) => r.totals.views >= VISITORS);
  });

  test('states the gap with its counts and links to the page report of the segment', async () => {
    const cards = await json('insights');
    const gaps = cards.filter((card) => card.rule === 'segment_gap');
    assert.equal(gaps.length, 1, JSON.stringify(cards));
    const [card] = gaps;
    assert.equal(card.page, '/pricing');
    assert.match(card.statement, /^Mobile visitors bounce from \/pricing 3\.4 times as often as visitors on other devices: 80 % of their visits against 23 %\.$/);
    assert.deepEqual(card.evidence[0].counts, { count: 56, of: 70 });
    assert.deepEqual(card.evidence[0].baseline_counts, { count: 17, of: 73 });
    assert.equal(card.view.segment, 'device:mobile');
    assert.match(card.view.link, /^page\?path=\/pricing&from=[\d-]+&to=[\d-]+&segment=device%3Amobile$/);
    const { summary } = await json(card.view.link);
    assert.equal(summary.segment, 'device:mobile');
    assert.equal(summary.metrics.bounce_rate.page, 0.8);
  });

  test('is among the site summary\'s cards, as the insights list it', async () => {
    // The summary runs the insights over the records it reads: every page's segments.
    const { insights } = await json('summary');
    const gap = insights.find((card) => card.rule === 'segment_gap');
    assert.ok(gap, JSON.stringify(insights.map((card) => card.statement)));
    const html = await (await edgeFetch(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`)).text();
    assert.match(html, /Mobile visitors bounce from \/pricing/);
  });

  test('shows the card on the page report with its link, and names no segment under k', async () => {
    const res = await edgeFetch(`${env.edge.url}/s/demo/p?path=/pricing&key=${env.site.viewer_token}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Mobile visitors bounce from \/pricing/);
    assert.match(html, /href="\/s\/demo\/p\?path=%2Fpricing&amp;segment=device%3Amobile&amp;key=[^"]+"/);
    assert.match(html, /the report of \/pricing for device:mobile/);
    const cards = await json('insights');
    for (const card of cards) {
      assert.ok(!/tablet/i.test(JSON.stringify(card)), `three tablet visitors are fewer than k: ${card.statement}`);
    }
  });
});
