// The marketer's pages and the summary API: the site page, a page's insight summary and the
// JSON/CSV endpoints agree, links between them work, and nothing a beacon carried can run as
// markup on a page (CSV fields are defused against formulas in the edge's unit tests).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { humanBrowser, UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { createSite, edgeFetch, pages, postBeacon, waitForViews } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';
import { visitorAgent } from './support/small-site.mjs';

const HOSTILE_PATH = '/"><script>alert(1)</script>';
const HOSTILE_GOAL = '<img src=x onerror=alert(1)>';

describe('summary pages', () => {
  const env = useEdge();
  let browser;
  const api = (route) => edgeFetch(`${env.edge.url}/api/v1/sites/demo/${route}`, {
    headers: { Authorization: `Bearer ${env.site.viewer_token}` },
  });

  before(async () => {
    const send = async (body, ua) => {
      const res = await postBeacon(env.edge.url, { site: 'demo', ...body }, { 'User-Agent': ua });
      assert.equal(res.status, 202, await res.text());
    };
    for (const ua of [UA_WINDOWS, UA_MAC]) {
      await send({ path: '/pricing', referrer: 'news.example.com' }, ua);
      await send({ type: 'leave', path: '/pricing', entry: true, referrer: 'news.example.com', next: HOSTILE_PATH, engaged_ms: 12000, scroll_pct: 60 }, ua);
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

  describe('on a site with k = 5', () => {
    let site;
    const open = async (target) => {
      const page = await browser.newPage();
      const res = await page.goto(`${env.edge.url}${target}${target.includes('?') ? '&' : '?'}key=${site.viewer_token}`);
      return { page, res };
    };

    before(async () => {
      site = await createSite(env.edge.url, env.edge.adminToken, 'small', { k: 5 });
      // Six people read /guide, directly; a seventh came from a rare referrer to /rare.
      const send = async (body, n) => {
        const res = await postBeacon(env.edge.url, { site: 'small', ...body }, { 'User-Agent': visitorAgent(n) });
        assert.equal(res.status, 202, await res.text());
      };
      for (let n = 0; n < 6; n++) await send({ path: '/guide' }, n);
      await send({ path: '/rare', referrer: 'rare.example' }, 6);
      await waitForViews(() => pages(env.edge.url, 'small', site.viewer_token), (r) => r.totals.views >= 7);
    });

    // Issue 18: "(other)" linked to a page report of "(other)", which answered a raw JSON 400.
    test('shows "(other)" as text, never as a link to a page', async () => {
      const { page } = await open('/s/small');
      const topPages = page.locator('section', { has: page.locator('#pages') });
      assert.deepEqual(await topPages.locator('tbody th').allInnerTexts(), ['/guide', '(other)']);
      assert.equal(await topPages.getByRole('link', { name: '/guide' }).count(), 1);
      assert.equal(await page.getByRole('link', { name: '(other)' }).count(), 0, 'no link to "(other)" anywhere');
      await page.close();
    });

    // Issue 18: a breakdown of rows all under k read as a single "(other)" row.
    test('says that every row had fewer than k visitors where a breakdown has no row of k', async () => {
      const { page } = await open('/s/small');
      const referrers = page.locator('section', { has: page.locator('#referrers') });
      assert.equal(await referrers.locator('table').count(), 0);
      assert.equal(
        await referrers.locator('p').innerText(),
        'The referrers had fewer than 5 visitors each in this range, so none is named.',
      );
      await page.close();
    });

    // Issue 18: a page below k answered a raw JSON 404.
    test('answers a page below k with an HTML page that says why and leads back, as a 404', async () => {
      const { page, res } = await open(`/s/small/p?path=${encodeURIComponent('/rare')}`);
      assert.equal(res.status(), 404);
      assert.match(res.headers()['content-type'], /^text\/html/);
      assert.match(res.headers()['content-security-policy'], /default-src 'none'/);
      assert.equal(await page.locator('h1').innerText(), '/rare');
      assert.equal(
        await page.locator('main p.why').innerText(),
        "'/rare' had fewer than 5 visitors in this range; pages are shown from 5.",
      );
      await page.getByRole('link', { name: 'the site summary' }).click();
      await page.waitForURL(/\/s\/small\?/);
      assert.equal(await page.locator('h1').innerText(), 'Site summary');
      assert.equal(new URL(page.url()).searchParams.get('key'), site.viewer_token, 'the key is kept');

      const { page: nowhere, res: none } = await open(`/s/small/p?path=${encodeURIComponent('/nowhere')}`);
      assert.equal(none.status(), 404);
      assert.equal(await nowhere.locator('main p.why').innerText(), "No page views of '/nowhere' in this range.");
      await Promise.all([page.close(), nowhere.close()]);
    });
  });

  // Issue 18: every row read "scrolled at least 60 %" while the bars drew 90, 75, 50, 25 and
  // 10 %; a median engaged time of 399 ms read "399 ms".
  test('labels each bar of how far and how long they read with the share it draws', async () => {
    const page = await browser.newPage();
    await page.goto(`${env.edge.url}/s/demo/p?path=${encodeURIComponent('/pricing')}&key=${env.site.viewer_token}`);
    // Both views of /pricing scrolled 60 % and were engaged 12 s.
    const bars = (id) => page.locator(`section:has(#${id}) .shares li`).evaluateAll((items) => items.map((li) => [
      li.querySelector('.share-label').textContent,
      li.querySelector('.share-value').textContent,
      li.querySelector('.share-bar').style.getPropertyValue('--share'),
    ]));
    // Each row: its label, the share it prints and the share its bar draws, which agree.
    const rows = (verb, marks, shares) => marks.map((mark, i) => [`${verb} ${mark} or more`, `${shares[i]} %`, `${shares[i]}%`]);
    assert.deepEqual(await bars('reading'), rows('scrolled', ['25 %', '50 %', '75 %', '90 %', '100 %'], [100, 100, 0, 0, 0]));
    assert.deepEqual(await bars('time'), rows('engaged', ['5.0 s', '10.0 s', '30.0 s', '1:00', '3:00'], [100, 100, 0, 0, 0]));
    const median = page.locator('section:has(#against) tr', { hasText: 'Median engaged time' });
    assert.equal(await median.locator('td').first().innerText(), '12.0 s');
    await page.close();
  });

  // Issue 18: the footer called a range's unique visitors "a union over the range, not a sum
  // of days", while a person who returns on another day gets another day's salt.
  test('says on the summary and on a page report that a person returning another day counts again', async () => {
    const page = await browser.newPage();
    for (const target of ['/s/demo', `/s/demo/p?path=${encodeURIComponent('/pricing')}`]) {
      await page.goto(`${env.edge.url}${target}${target.includes('?') ? '&' : '?'}key=${env.site.viewer_token}`);
      const footer = await page.locator('footer').innerText();
      assert.match(footer, /Visitors are counted per day: a person returning on another day counts again/, target);
      assert.doesNotMatch(footer, /union/, target);
    }
    await page.close();
  });
});

