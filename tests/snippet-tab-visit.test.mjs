// A tab's visit: with journey consent the snippet keeps, in the tab's sessionStorage, the time
// and path of the tab's last view of the site (never an id), so that a reload or a page
// reached back through the history continues the visit, and a view after 30 minutes without
// one starts a new visit. Without journey consent the referrer alone decides, and nothing is kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consenting, ofType, page, useSnippet } from './support/snippet.mjs';

const PAGES = { 'index.html': page('<h1>Hi</h1><a id="next" href="/next.html">Next</a>'), 'next.html': page('<h1>Next</h1>') };
const SEARCH = 'https://search.example/results';

const JOURNEY = consenting({ measurement: true, journey: true });

describe('a tab\'s visit', () => {
  const env = useSnippet();

  const visits = async () => (await env.metrics()).visits.current;

  test('with journey consent a reload continues the visit: one visit, two views', async () => {
    const before = await visits();
    const { page: tab } = await env.open(PAGES, { init: JOURNEY, referer: SEARCH });
    const [first] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    assert.deepEqual([first.referrer, first.previous], ['search.example', undefined], 'an entry from the search');
    const kept = await tab.evaluate(() => sessionStorage.getItem('tacit:tab'));
    assert.match(kept, /^\d{13} \/$/, 'the time and path of the last view, nothing else');

    await tab.reload();
    const views = await env.waitFor((b) => ofType(b, 'view').length === 2, 'the view after the reload');
    const again = ofType(views, 'view')[1];
    assert.equal(again.previous, '/', 'the tab was on / before: no new entry, though the referrer is the search again');
    assert.equal(again.returning, undefined, 'only an entry says whether the browser came before');
    await env.allAccepted();
    assert.equal(await visits(), before + 1);
  });

  test('without journey consent the reload is a second entry, and the tab keeps nothing', async () => {
    const before = await visits();
    const { page: tab } = await env.open(PAGES, { init: consenting({ measurement: true, journey: false }), referer: SEARCH });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    await tab.reload();
    const views = await env.waitFor((b) => ofType(b, 'view').length === 2, 'the view after the reload');
    assert.deepEqual(ofType(views, 'view').map((v) => v.previous), [undefined, undefined]);
    assert.equal(await tab.evaluate(() => sessionStorage.length + localStorage.length), 0);
    await env.allAccepted();
    assert.equal(await visits(), before + 2);
  });

  test('a page reached after 30 minutes without a view starts a new visit, even by a link of the site', async () => {
    // The tab's last view is made 31 minutes old as /next.html loads, before tacit reads it.
    const stale = `if (location.pathname === '/next.html' && sessionStorage.getItem('tacit:tab')) {
      sessionStorage.setItem('tacit:tab', (Date.now() - 31 * 60e3) + ' /');
    }`;
    const { page: tab } = await env.open(PAGES, { init: `${JOURNEY}\n${stale}` });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    await tab.click('#next');
    const beacons = await env.waitFor(
      (b) => ofType(b, 'view').length === 2 && ofType(b, 'leave').length === 1,
      'the leave of / and the view of /next.html',
    );
    const next = ofType(beacons, 'view').find((v) => v.path === '/next.html');
    assert.equal(next.previous, undefined, 'an entry');
    assert.equal(typeof next.returning, 'boolean', 'an entry with journey consent says whether the browser came before');
    assert.equal(ofType(beacons, 'leave')[0].next, '/next.html', 'the page before still led there');
    const leave = await env.leave(tab, '/next.html');
    assert.deepEqual([leave.entry, leave.referrer], [true, undefined]);
  });

  test('a refusal of journey consent removes what the tab kept', async () => {
    const { page: tab } = await env.open(PAGES, { init: JOURNEY });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.notEqual(await tab.evaluate(() => sessionStorage.getItem('tacit:tab')), null);
    await tab.evaluate(() => window.tacit('consent', { measurement: true, journey: false }));
    await tab.waitForFunction(() => sessionStorage.length + localStorage.length === 0);
  });
});
