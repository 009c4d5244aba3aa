// Returning visitors: with journey consent only, the snippet keeps the day of this browser's last
// visit in the site's localStorage (never an id) and an entry's view says whether there was one;
// the summary shows returning visits as a share of the visits with journey consent. Without
// journey consent nothing is read or kept, and refusing it removes what was kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiRequest, edgeFetch, todayUtc } from './support/edge.mjs';
import { consenting, ofType, page, useSnippet } from './support/snippet.mjs';

const INDEX = { 'index.html': page('<h1>Hi</h1><a id="next" href="/next.html">Next</a>'), 'next.html': page('<h1>Next</h1>') };

/** An init script that leaves a last-visit day from `daysAgo` days ago, once per context. */
const visitedDaysAgo = (daysAgo) => `if (!sessionStorage.getItem('planted')) {
  sessionStorage.setItem('planted', '1');
  localStorage.setItem('tacit:day', String(Math.floor(Date.now() / 864e5) - ${daysAgo}));
}`;
const today = () => Math.floor(Date.now() / 864e5);
const lastVisit = (tab) => tab.evaluate(() => localStorage.getItem('tacit:day'));

describe('returning visitors', () => {
  const env = useSnippet();

  test('with journey consent an entry says whether this browser came before, and the summary shows the share', async () => {
    const { page: tab, base, context } = await env.open(INDEX, { init: consenting({ measurement: true, journey: true }) });
    const [first] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    assert.equal(first.returning, false, 'no last visit kept yet');
    assert.equal(await lastVisit(tab), String(today()), 'today becomes the last visit');

    // A page of the site reached by a link continues the visit: it renews the day, says nothing.
    await tab.click('#next');
    const views = await env.waitFor((b) => ofType(b, 'view').length === 2 && ofType(b, 'leave').length === 1, 'the second view');
    assert.equal(ofType(views, 'view')[1].path, '/next.html');
    assert.equal(ofType(views, 'view')[1].returning, undefined, 'not an entry');
    // The entry's leave repeats it, for the new and returning visitor segments.
    assert.deepEqual([ofType(views, 'leave')[0].entry, ofType(views, 'leave')[0].returning], [true, false]);

    // A new visit in another tab of the same browser.
    const again = await context.newPage();
    await again.goto(`${base}/`);
    const all = await env.waitFor((b) => ofType(b, 'view').length === 3, 'the returning view');
    assert.equal(ofType(all, 'view')[2].returning, true);
    await env.allAccepted();

    const m = await env.metrics();
    assert.equal(m.visits.current, 2);
    assert.equal(m.known_visits.current, 2);
    assert.equal(m.returning_rate.current, 0.5);
    const day = todayUtc();
    const page = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/demo/page?path=/&from=${day}&to=${day}`, { token: env.site.viewer_token });
    assert.deepEqual((await page.json()).summary.metrics.returning_rate, { page: 0.5, site: 0.5, previous: null });
    const html = await (await edgeFetch(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`)).text();
    assert.match(html, /Returning visits<\/[^>]+>\s*<[^>]+>50 %/);
    assert.match(html, /journey linking \(only they keep a last-visit day\): 2 visits\./);
  });

  test('a last visit older than 13 months is a first visit again', async () => {
    const { page: tab } = await env.open(INDEX, {
      init: `${visitedDaysAgo(400)}\n${consenting({ measurement: true, journey: true })}`,
    });
    const [view] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.equal(view.returning, false);
    assert.equal(await lastVisit(tab), String(today()));
  });

  test('without journey consent nothing is read or kept, and a refusal removes the last visit', async () => {
    const knownBefore = (await env.metrics()).known_visits.current;
    // No consent signal (the site's exempt mode counts the view): the planted day stays as it was.
    const { page: tab } = await env.open(INDEX, { init: visitedDaysAgo(3) });
    const [view] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.equal(view.returning, undefined);
    assert.equal(await lastVisit(tab), String(today() - 3), 'not renewed');

    await tab.evaluate(() => window.tacit('consent', { measurement: true, journey: false }));
    await tab.waitForFunction(() => localStorage.getItem('tacit:day') === null);

    // Granted again, the next view (a route change) keeps the day; refused again, it goes again.
    await tab.evaluate(() => window.tacit('consent', { measurement: true, journey: true }));
    await tab.evaluate(() => history.pushState({}, '', '/route'));
    await tab.waitForFunction(() => localStorage.getItem('tacit:day') !== null);
    await tab.evaluate(() => window.tacit('consent', { measurement: true, journey: false }));
    await tab.waitForFunction(() => localStorage.getItem('tacit:day') === null);
    await env.allAccepted();
    assert.equal((await env.metrics()).known_visits.current, knownBefore, 'no visit known');
  });

  test('the edge refuses a returning flag without journey consent', async () => {
    const res = await edgeFetch(`${env.edge.url}/e`, {
      method: 'POST',
      body: JSON.stringify({ site: 'demo', path: '/', returning: true, consent: { measurement: 'granted', journey: 'unset', source: 'api' } }),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /returning.*journey consent/);
  });
});
