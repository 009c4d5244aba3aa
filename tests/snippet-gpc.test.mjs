// Consent from Global Privacy Control (navigator.globalPrivacyControl): an opt-out of both categories.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { page, useSnippet } from './support/snippet.mjs';

describe('Global Privacy Control', () => {
  const env = useSnippet();

  test('with GPC on sends only the consent tally, and the page is not counted', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<a href="/next.html">Next</a>') }, {
      init: () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }),
    });
    await env.waitFor((b) => b.length === 1, 'the tally');
    await tab.evaluate(() => window.tacit('goal', 'signup'));
    await env.settle(tab);

    assert.deepEqual(env.recorder.beacons, [{ site: 'demo', type: 'consent',
      consent: { measurement: 'denied', journey: 'denied', source: 'gpc' } }], 'no view, no event, no leave');
    await env.allAccepted(); // else a view still on its way would read as none
    assert.equal((await env.pages()).totals.views, 0);
  });

  test('with GPC on, an explicit grant from the page wins', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Hi</h1>') }, {
      init: () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }),
    });
    await env.waitFor((b) => b.length === 1, 'the tally');
    await tab.evaluate(() => window.tacit('consent', { measurement: true }));
    const [, view] = await env.waitFor((b) => b.length === 2, 'the view');
    assert.deepEqual([view.type, view.consent.source], ['view', 'api']);
  });
});
