// Outbound links: a click on a link to another site is an event, and the view ends there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

describe('outbound links', () => {
  const env = useSnippet();

  test('reports a click on a link to another site with its host only', async () => {
    const { page: tab, context } = await env.open({
      'index.html': page('<a id="gh" href="https://github.com/acme/widget?ref=jane@example.com">Source</a>'),
    });
    await context.route('https://github.com/**', (route) => route.fulfill({ body: 'GitHub', contentType: 'text/html' }));
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.click('#gh');
    const beacons = await env.waitFor((b) => ofType(b, 'leave').length === 1, 'the leave');

    assert.deepEqual(ofType(beacons, 'event').map((e) => e.event), [{ kind: 'outbound', host: 'github.com' }]);
    assert.equal(ofType(beacons, 'leave')[0].next, undefined, 'leaving the site is an exit');
    assert.ok(!env.recorder.bodies.join().includes('jane'), 'nothing of the link but its host');
    await env.allAccepted();
  });

  test('does not report a link to another page of the site as outbound', async () => {
    const { page: tab } = await env.open({
      'index.html': page('<a id="next" href="/pricing.html">Pricing</a>'),
      'pricing.html': page('<h1>Pricing</h1>'),
    });
    // The snippet starts once its WebAssembly is in; a click before that would end the page
    // before its view was sent.
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    await tab.click('#next');
    // The leave goes out as the page unloads, the view as the next one loads: either may arrive first.
    const beacons = await env.waitFor(
      (b) => ofType(b, 'view').length === 2 && ofType(b, 'leave').length === 1,
      'the leave of the first page and the second view',
    );
    assert.deepEqual(ofType(beacons, 'event'), []);
    assert.equal(ofType(beacons, 'leave')[0].next, '/pricing.html');
  });
});
