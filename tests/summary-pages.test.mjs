// The marketer's pages and the summary API: the site page, a page's insight summary and the
// JSON/CSV endpoints agree, links between them work, and nothing a beacon carried can run as
// markup on a page (CSV fields are defused against formulas in the edge's unit tests).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { humanBrowser, UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { createSite, pages, postBeacon, waitForViews } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';

const HOSTILE_PATH = '/"><script>alert(1)</script>';
const HOSTILE_GOAL = '<img src=x onerror=alert(1)>';

describe('summary pages', () => {
  const env = useEdge();
  let browser;
  const api = (route) => fetch(`${env.edge.url}/api/v1/sites/demo/${route}`, {
    headers: { Authorization: `Bearer ${env.site.viewer_token}` },
  });

  before(async () => {
    const send = async (body, ua) => {
      const res = await postBeacon(env.edge.url, { site: 'demo', ...body }, { 'User-Agent': ua });
      assert.equal(res.status, 202, await res.text());
    };
    for (const ua of [UA_WINDOWS, UA_MAC]) {
      await send({ path: '/pricing', referrer: 'news.example.com' }, ua);
      await send({ type: 'leave', path: '/pricing', entry: true, channel: 'news.example.com', next: HOSTILE_PATH, engaged_ms: 12000, scroll_pct: 60 }, ua);
      await send({ path: HOSTILE_PATH, previous: '/pricing' }, ua);
      await send({ type: 'event', path: HOSTILE_PATH, event: { kind: 'goal', name: HOSTILE_GOAL, value_milli: 5000 } }, ua);
    }
    await waitForViews(() => env.pages(), (r) => r.totals.views >= 4);
    browser = await humanBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('shows a beacon\'s markup as text on the site page and runs no script', async () => {
    const page = await browser.newPage();
    const dialogs = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
    const res = await page.goto(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy'], /default-src 'none'/);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(HOSTILE_GOAL), 'the goal name is shown as text');
    assert.ok(text.includes(HOSTILE_PATH), 'the path is shown as text');
    assert.equal(await page.locator('main script, main img').count(), 0, 'no element came from a beacon');
    assert.deepEqual(dialogs, []);
    await page.close();
  });

  test('links a page row to its insight summary, which shows the page against the site', async () => {
    const page = await browser.newPage();
    await page.goto(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`);
    await page.getByRole('link', { name: '/pricing' }).first().click();
    await page.waitForURL(/\/s\/demo\/p\?/);
    assert.equal(await page.locator('h1').innerText(), '/pricing');
    const went = await page.locator('section', { has: page.locator('#to') }).innerText();
    assert.ok(went.includes(HOSTILE_PATH), `next pages list the hostile path as text: ${went}`);
    await page.close();
  });

  test('keeps the range when the range picker is used', async () => {
    const page = await browser.newPage();
    await page.goto(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`);
    await page.getByRole('link', { name: '30 days' }).click();
    await page.waitForURL(/from=/);
    const url = new URL(page.url());
    const days = (Date.parse(url.searchParams.get('to')) - Date.parse(url.searchParams.get('from'))) / 86_400_000;
    assert.equal(days, 29);
    assert.equal(await page.locator('nav.picker a[aria-current="page"]').innerText(), '30 days');
    await page.close();
  });

  test('serves the same figures as JSON and CSV', async () => {
    const summary = await (await api('summary')).json();
    assert.equal(summary.summary.metrics.views.current, 4);
    assert.equal(summary.summary.metrics.visitors.current, 2);
    const goals = Object.fromEntries(summary.summary.goals.map((g) => [g.goal, g.completions]));
    assert.equal(goals[HOSTILE_GOAL], 2);

    const page = await (await api(`page?path=${encodeURIComponent('/pricing')}`)).json();
    assert.equal(page.summary.metrics.views.current, 2);
    assert.equal((await api('page?path=/nowhere')).status, 404);
    assert.equal((await api('page')).status, 400);

    const csv = await (await api('pages?format=csv')).text();
    assert.match(csv, /^path,views,visitors\r\n/);
    assert.ok(csv.includes('/pricing,2,2'), csv);
    const insights = await api('insights?format=csv');
    assert.match(insights.headers.get('content-type'), /^text\/csv/);
  });

  test('folds pages seen by fewer than k = 5 visitors into (other)', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'folded', { k: 5 });
    for (const [path, ua] of [['/a', UA_WINDOWS], ['/b', UA_MAC]]) {
      const res = await postBeacon(env.edge.url, { site: 'folded', path }, { 'User-Agent': ua });
      assert.equal(res.status, 202);
    }
    const result = await waitForViews(() => pages(env.edge.url, 'folded', site.viewer_token), (r) => r.totals.views >= 2);
    assert.deepEqual(result.pages, [{ path: '(other)', views: 2, visitors: 2 }], 'no page of one visitor is named');
  });
});
