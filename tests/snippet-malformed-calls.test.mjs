// Malformed objects from the page (tacit's API, Consent Mode): each call is refused with one
// console warning that names the argument, sends nothing, and throws nothing into the page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const GTAG = `<script>
  window.dataLayer = window.dataLayer || [];
  function gtag() { dataLayer.push(arguments); }
  gtag('js', new Date());
</script>`;

describe('malformed calls', () => {
  const env = useSnippet();

  test('are refused one warning each, with no beacon and no error', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Shop</h1>', { head: GTAG }) });
    const { warnings, errors } = env.watchConsole(tab);
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');

    await tab.evaluate(() => {
      window.tacit('consent', 'granted');
      window.tacit('consent', { measurement: 'yes' });
      window.tacit('goal', { name: 'signup' });
      window.tacit('goal', 'signup', { value: '12 EUR' });
      window.gtag('consent', 'update', { analytics_storage: 'maybe' });
      // Well formed: the one beacon these calls send.
      window.tacit('goal', 'newsletter', { value: 2 });
    });
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the well-formed goal');
    await env.settle(tab); // the page is left: its leave beacon

    assert.deepEqual(ofType(env.recorder.beacons, 'event').map((e) => e.event),
      [{ kind: 'goal', name: 'newsletter', value_milli: 2000 }]);
    const [view, event] = env.recorder.beacons;
    assert.deepEqual(env.recorder.beacons.map((b) => b.type), ['view', 'event', 'leave']);
    assert.deepEqual(event.consent, view.consent, 'consent did not change');
    assert.equal(warnings.length, 5, warnings.join('\n'));
    for (const [warning, argument] of warnings.map((w, i) => [w,
      ['options must be an object', 'options.measurement', 'name must be a string', 'options.value',
        'settings.analytics_storage'][i]])) {
      assert.ok(warning.startsWith('tacit: ') && warning.includes(argument), `${warning} names ${argument}`);
    }
    assert.deepEqual(errors, []);
  });
});
