// Consent from an IAB TCF v2.2 CMP (__tcfapi): purposes 8 or 9 grant measurement, purpose 1
// journey linking as well.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiRequest } from './support/edge.mjs';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const CMP = `<script>
  const tcData = (eventStatus, consents) => ({ eventStatus, gdprApplies: true, tcString: 'x',
    purpose: { consents, legitimateInterests: {} }, publisher: { consents: {}, legitimateInterests: {} } });
  const listeners = [];
  window.__tcfapi = (command, version, callback) => {
    if (command !== 'addEventListener' || version !== 2) return;
    listeners[listeners.length] = callback;
    setTimeout(() => callback(tcData('tcloaded', { 1: false, 8: false, 9: false }), true), 20);
  };
  window.grantAll = () => listeners.forEach((cb) => cb(tcData('useractioncomplete', { 1: true, 8: true, 9: true, 10: true }), true));
</script>`;

describe('TCF', () => {
  const env = useSnippet();

  test('a CMP that denies then grants: the tally only, then the view and the leave', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>News</h1>', { head: CMP }) });
    await env.waitFor((b) => b.length === 1, 'the tally');
    assert.deepEqual(env.recorder.beacons, [{ site: 'demo', type: 'consent',
      consent: { measurement: 'denied', journey: 'denied', source: 'tcf' } }], 'no view before the grant');

    await tab.evaluate(() => window.grantAll());
    const beacons = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.deepEqual(ofType(beacons, 'view')[0].consent, { measurement: 'granted', journey: 'granted', source: 'tcf' });
    const leave = await env.leave(tab, '/');
    assert.equal(leave.consent.source, 'tcf');
    assert.equal(env.recorder.beacons.length, 3);
    assert.deepEqual(ofType(beacons, 'view')[0].replaces_consent, { measurement: 'denied', journey: 'denied', source: 'tcf' },
      'the view takes the refusal\'s place in the consent tally');
    await env.allAccepted();

    // The privacy page counts that visitor's one page view once, as granted: the refusal it
    // first had is taken back, and the leave adds nothing.
    const res = await apiRequest(env.edge.url, 'GET', '/api/v1/sites/demo/privacy', { token: env.site.auditor_token });
    const { total } = (await res.json()).consent;
    assert.equal(total.page_views, 1);
    assert.deepEqual([total.measurement.granted_rate, total.journey.granted_rate], [1, 1], '100 % granted');
    assert.equal(total.measurement.denied, 0);
  });
});
