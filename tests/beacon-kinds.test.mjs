// Beacon kinds and consent at the edge: every kind of beacon is accepted, and only a page view
// by a visitor who has not opted out adds a page view. Opt-outs reach the edge three ways — the
// beacon's consent state, the Sec-GPC header and the DNT header — and a stronger source (the
// page's own consent API) outranks the headers. HTTP only, no browser.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { UA_WINDOWS } from './support/browser.mjs';
import { postBeacon, waitForViews } from './support/edge.mjs';
import { countsByPath, useEdge } from './support/fixtures.mjs';

const GRANTED = { measurement: 'granted', journey: 'denied', source: 'api' };
const DENIED = { measurement: 'denied', journey: 'denied', source: 'tcf' };

describe('beacon kinds and consent', () => {
  const env = useEdge();
  const send = async (body, headers = {}) => {
    const res = await postBeacon(env.edge.url, { site: 'demo', ...body }, { 'User-Agent': UA_WINDOWS, ...headers });
    assert.equal(res.status, 202, `${JSON.stringify(body)}: ${await res.text()}`);
  };

  before(async () => {
    await send({ path: '/counted' });
    await send({ path: '/counted-despite-gpc', consent: GRANTED }, { 'Sec-GPC': '1' });
    await send({ path: '/denied', consent: DENIED });
    await send({ path: '/gpc' }, { 'Sec-GPC': '1' });
    await send({ path: '/dnt' }, { DNT: '1' });
    await send({ type: 'consent', consent: DENIED });
    await send({
      type: 'leave', path: '/counted', entry: true, engaged_ms: 21000, scroll_pct: 80,
      interactions: 3, lcp_ms: 1800, inp_ms: 90, cls_milli: 40,
    });
    await send({ type: 'event', path: '/counted', event: { kind: 'goal', name: 'signup', value_milli: 12500 } });
    await send({ type: 'event', path: '/counted', event: { kind: 'outbound', host: 'github.com' } });
    await send({ type: 'event', path: '/counted', event: { kind: 'feedback', score: 3 } });
    await send({ type: 'dropped' });
    // A crawler's page view, then its leave and an event of that view: one bot page view.
    const crawler = { 'User-Agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };
    await send({ path: '/crawled' }, crawler);
    await send({ type: 'leave', path: '/crawled', entry: true, engaged_ms: 0, scroll_pct: 0 }, crawler);
    await send({ type: 'event', path: '/crawled', event: { kind: 'outbound', host: 'example.org' } }, crawler);
    // The last beacon: once it is counted, everything before it has been handled.
    await send({ path: '/last' });
  });

  test('counts page views only from visitors who have not opted out', async () => {
    const result = await waitForViews(() => env.pages(), (r) => r.pages.some((p) => p.path === '/last'));
    assert.deepEqual(countsByPath(result), {
      '/counted': { views: 1, visitors: 1 },
      '/counted-despite-gpc': { views: 1, visitors: 1 },
      '/last': { views: 1, visitors: 1 },
    }, 'no view for a denied beacon, Sec-GPC, DNT, or a leave, event or consent beacon');
  });

  test('counts bot page views as dropped: the snippet\'s dropped beacon, and a crawler\'s view but not its leave or events', async () => {
    const result = await env.pages();
    assert.equal(result.totals.bots_dropped, 2);
  });

  test('refuses a field that does not belong to the beacon type', async () => {
    const res = await postBeacon(env.edge.url, { site: 'demo', type: 'consent', path: '/x' }, { 'User-Agent': UA_WINDOWS });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /consent beacon cannot carry 'path'/);
  });
});
