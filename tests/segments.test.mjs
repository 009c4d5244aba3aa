// Segments and channel groups: every figure read for one segment (`?segment=`) in the API, the
// CSV and the pages; the segments side by side on the site and on a page; a segment below k
// shows nothing but that; a segment parameter that names none is refused with what is expected.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { humanBrowser } from './support/browser.mjs';
import { edgeFetch, postBeacon, waitForViews } from './support/edge.mjs';
import { assertJsonError, useEdge } from './support/fixtures.mjs';
import { visitorAgent } from './support/small-site.mjs';

const K = 5;

// Who comes to /pricing: each group's visitors, how they arrive, on what, and what they do.
const GROUPS = [
  // 12 from Google's results on phones, who bounce.
  { n: 12, first: 0, view: { referrer: 'www.google.com', viewport: 'mobile' }, leave: { engaged_ms: 2_000, scroll_pct: 10 } },
  // 8 from Twitter's links on desktops, who read, go on to /signup and sign up (worth 20 each).
  { n: 8, first: 100, view: { referrer: 't.co', viewport: 'desktop' }, leave: { engaged_ms: 40_000, scroll_pct: 90, next: '/signup' }, goal: 20_000 },
  // 6 from a Google ad on desktops, who read and leave.
  { n: 6, first: 200, view: { utm: { source: 'google', medium: 'cpc', campaign: 'spring' }, viewport: 'desktop' }, leave: { engaged_ms: 15_000, scroll_pct: 50 } },
  // 2 typed the address on a tablet: fewer than k.
  { n: 2, first: 300, view: { viewport: 'tablet' }, leave: { engaged_ms: 5_000, scroll_pct: 30 } },
];
const VISITORS = GROUPS.reduce((sum, group) => sum + group.n, 0);

describe('segments', () => {
  const env = useEdge({ settings: { k: K } });
  let browser;
  const api = (route) => edgeFetch(`${env.edge.url}/api/v1/sites/demo/${route}`, {
    headers: { Authorization: `Bearer ${env.site.viewer_token}` },
  });
  const json = async (route) => {
    const res = await api(route);
    assert.equal(res.status, 200, `${route}: ${await res.clone().text()}`);
    return res.json();
  };
  const row = (table, segment) => table.rows.find((r) => r.segment === segment);

  before(async () => {
    for (const { n, first, view, leave, goal } of GROUPS) {
      for (let v = first; v < first + n; v++) {
        const send = async (body) => {
          const res = await postBeacon(env.edge.url, { site: 'demo', ...body }, { 'User-Agent': visitorAgent(v) });
          assert.equal(res.status, 202, await res.text());
        };
        await send({ path: '/pricing', ...view });
        // The leave repeats its view's referral and viewport, as the snippet sends it.
        await send({ type: 'leave', path: '/pricing', entry: true, ...view, ...leave });
        // A goal repeats its visit's entry and viewport too.
        if (goal) await send({ type: 'event', path: '/pricing', event: { kind: 'goal', name: 'signup', value_milli: goal }, entry: true, ...view });
      }
    }
    await waitForViews(() => env.pages(), (r) => r.totals.views >= VISITORS);
    browser = await humanBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('groups channels by referrer and campaign tags, and sets segments side by side', async () => {
    const { summary } = await json('summary');
    const { segments } = summary;
    const organic = row(segments, 'channel:organic_search');
    assert.deepEqual([organic.label, organic.visitors, organic.visits, organic.bounce_rate], ['Organic search', 12, 12, 1]);
    const social = row(segments, 'channel:social');
    assert.deepEqual([social.visits, social.bounce_rate, social.exit_rate], [8, 0, 0]);
    assert.deepEqual([social.goal_completions, social.goal_value, social.value_per_visit], [8, 160, 20], 'each social visit signed up for 20');
    assert.deepEqual([organic.goal_completions, organic.value_per_visit], [0, 0]);
    const paid = row(segments, 'channel:paid_search');
    assert.deepEqual([paid.visits, paid.engagement_rate], [6, 1]);
    assert.deepEqual([row(segments, 'device:mobile').views, row(segments, 'device:desktop').views], [12, 14]);
    assert.equal(row(segments, 'device:tablet'), undefined, 'two tablet visitors are fewer than k');
    assert.equal(row(segments, 'channel:direct'), undefined, 'two direct visitors are fewer than k');
    assert.ok(segments.fewer_than_k >= 2, `segments below k are counted: ${segments.fewer_than_k}`);
    assert.equal(summary.segment, null);
  });

  test('reads every figure of the site and of a page for one segment', async () => {
    const mobile = (await json('summary?segment=device:mobile')).summary;
    assert.equal(mobile.segment, 'device:mobile');
    assert.deepEqual([mobile.metrics.visitors.current, mobile.metrics.views.current], [12, 12]);
    assert.equal(mobile.metrics.bounce_rate.current, 1);
    assert.ok(row(mobile.segments, 'device:desktop'), 'the other segments stay in reach');

    const page = (segment) => json(`page?path=/pricing&segment=${segment}`);
    const social = (await page('channel:social')).summary;
    assert.deepEqual([social.metrics.bounce_rate.page, social.metrics.exit_rate.page], [0, 0]);
    assert.equal(social.metrics.median_engaged_ms.page >= 39_000, true, JSON.stringify(social.metrics.median_engaged_ms));
    const search = (await page('channel:organic_search')).summary;
    assert.equal(search.metrics.bounce_rate.page, 1);
    // The page's own segment table answers "mobile against desktop" in one read.
    const all = (await json('page?path=/pricing')).summary;
    assert.deepEqual(
      ['device:mobile', 'device:desktop'].map((s) => row(all.segments, s).bounce_rate),
      [1, 0],
    );
  });

  test('shows nothing of a segment below k but that it is below k', async () => {
    for (const route of ['summary?segment=device:tablet', 'page?path=/pricing&segment=channel:direct']) {
      const res = await api(route);
      await assertJsonError(res.clone(), 404, route);
      assert.match((await res.json()).error, new RegExp(`fewer than ${K} visitors`));
    }
    const page = await browser.newPage();
    const res = await page.goto(`${env.edge.url}/s/demo?segment=device:tablet&key=${env.site.viewer_token}`);
    assert.equal(res.status(), 404);
    const text = await page.locator('main').innerText();
    assert.match(text, /fewer than 5 visitors in the segment device:tablet/i);
    await page.getByRole('link', { name: 'all visitors' }).click();
    await page.waitForURL((url) => !url.searchParams.has('segment'));
    assert.equal(await page.locator('h1').innerText(), 'Site summary');
    await page.close();
  });

  test('refuses a segment that names none, saying what is expected', async () => {
    for (const [segment, expected] of [
      ['device:phone', /mobile, tablet, desktop/],
      ['os:linux', /device, channel, visitor or country/],
      ['<script>alert(1)</script>', /dimension:value/],
      ['country:de', /country code/],
    ]) {
      const route = `summary?segment=${encodeURIComponent(segment)}`;
      const res = await api(route);
      await assertJsonError(res.clone(), 400, route);
      assert.match((await res.json()).error, expected, segment);
    }
    const res = await edgeFetch(`${env.edge.url}/s/demo?segment=%3Cscript%3E&key=${env.site.viewer_token}`);
    assert.equal(res.status, 400);
    assert.ok(!(await res.text()).includes('<script>'), 'nothing of the parameter is echoed as markup');
  });

  test('serves the segments as CSV, and the pages table of a segment', async () => {
    const csv = await (await api('summary?format=csv&table=segments')).text();
    const lines = csv.trim().split('\n');
    assert.equal(lines[0].trim(), 'segment,label,visitors,views,visits,bounce_rate,engagement_rate,exit_rate,median_engaged_ms,goal_completions,goal_value,value_per_visit');
    assert.ok(lines.some((line) => line.startsWith('channel:organic_search,Organic search,12,12,12,1,0,')), csv);
    assert.ok(lines.some((line) => line.startsWith('channel:social,') && line.trim().endsWith(',8,160,20')), csv);
    const pages = await json('pages?segment=channel:social');
    assert.equal(pages.segment, 'channel:social');
    assert.deepEqual(pages.pages.map(({ path, views }) => [path, views]), [['/pricing', 8]]);
  });

  test('picks a segment on the page report and keeps it across the range picker', async () => {
    const page = await browser.newPage();
    await page.goto(`${env.edge.url}/s/demo/p?path=/pricing&key=${env.site.viewer_token}`);
    const side = page.locator('section', { has: page.locator('#segments') });
    const text = await side.innerText();
    for (const label of ['Organic search', 'Social', 'Paid search', 'Mobile', 'Desktop']) {
      assert.ok(text.includes(label), `${label} in ${text}`);
    }
    await side.getByRole('link', { name: 'Mobile' }).click();
    await page.waitForURL(/segment=device%3Amobile/);
    assert.match(await page.locator('.segment-note').innerText(), /for Mobile only/);
    assert.equal(await page.locator('nav.segments a[aria-current="page"]').innerText(), 'Mobile');
    const against = await page.locator('section', { has: page.locator('#against') }).innerText();
    assert.match(against, /Bounce rate\s+100 %/);
    await page.getByRole('link', { name: '30 days' }).click();
    await page.waitForURL(/from=/);
    assert.equal(new URL(page.url()).searchParams.get('segment'), 'device:mobile');
    await page.close();
  });
});
