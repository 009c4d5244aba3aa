// Consent from the page's own API, tacit('consent', {...}), in both site policy modes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const consent = (measurement, journey, source) => ({ measurement, journey, source });

describe('consent API and policy modes', () => {
  const env = useSnippet();

  test('in opt-in mode sends only the consent tally until measurement is granted, then the view', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Hi</h1>', { attrs: 'data-consent="opt-in"' }) });
    const [tally] = await env.waitFor((b) => b.length === 1, 'the tally');
    assert.deepEqual(tally, { site: 'demo', type: 'consent', consent: consent('unset', 'unset', 'default') },
      'no page, no referrer, no id');
    await env.allAccepted(); // else a view still on its way would read as none
    assert.equal((await env.pages()).totals.views, 0);

    await tab.evaluate(() => window.tacit('consent', { measurement: true }));
    const beacons = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.deepEqual(ofType(beacons, 'view')[0].consent, consent('granted', 'unset', 'api'));
    const leave = await env.leave(tab, '/');
    assert.deepEqual(leave.consent, consent('granted', 'unset', 'api'));
    await env.allAccepted();
  });

  test('in exempt mode counts until the visitor opts out, then sends only the tally', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<a id="out" href="https://elsewhere.example/">Out</a>') });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.evaluate(() => window.tacit('consent', { measurement: false, journey: false }));
    await env.waitFor((b) => ofType(b, 'consent').length === 1, 'the tally');
    await tab.evaluate(() => window.tacit('goal', 'signup'));
    await env.settle(tab);

    assert.deepEqual(env.recorder.beacons.map((b) => b.type), ['view', 'consent'], 'no goal, no leave after opting out');
    assert.deepEqual(ofType(env.recorder.beacons, 'consent')[0].consent, consent('denied', 'denied', 'api'));
  });
});
