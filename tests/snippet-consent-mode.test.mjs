// Consent from Google Consent Mode v2: analytics_storage in gtag('consent', ...) dataLayer entries,
// including those pushed after the snippet loaded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const GTAG = `<script>
  window.dataLayer = window.dataLayer || [];
  function gtag() { dataLayer.push(arguments); }
  gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' });
</script>`;

describe('Consent Mode', () => {
  const env = useSnippet();

  test('default denied then updated to granted: the tally only, then the view', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Shop</h1>', { head: GTAG }) });
    await env.waitFor((b) => b.length === 1, 'the tally');
    assert.deepEqual(env.recorder.beacons[0], { site: 'demo', type: 'consent',
      consent: { measurement: 'denied', journey: 'denied', source: 'consent_mode' } });

    await tab.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'granted' }));
    const beacons = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.deepEqual(ofType(beacons, 'view')[0].consent, { measurement: 'granted', journey: 'granted', source: 'consent_mode' });
    assert.equal(await tab.evaluate(() => window.dataLayer.length), 2, 'the dataLayer still receives its entries');
    await env.leave(tab, '/');
    await env.allAccepted();
  });
});
