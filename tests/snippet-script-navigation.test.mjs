// Script navigation: a same-site page load that the page's own script starts (a goal button
// whose handler sets location.href) continues the visit like a link does, read from the
// Navigation API's navigate event (Chrome 102+, Firefox 147+, Safari 26.2+; older browsers count
// such a page as an exit).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

describe('script navigation', () => {
  const env = useSnippet();

  test('continues the visit when a button\'s handler loads the next page of the site', async () => {
    const { page: tab } = await env.open({
      'pricing.html': page('<button onclick="location.href = \'/thanks.html\'">Buy</button>'),
      'thanks.html': page('<h1>Thanks</h1>'),
    }, { path: '/pricing.html' });
    // A person clicks once the page has loaded; the tracker listens from its first view on.
    await env.waitFor((b) => ofType(b, 'view').some((v) => v.path === '/pricing.html'), 'the first view');
    await tab.click('button');
    await env.waitFor((b) => ofType(b, 'view').some((v) => v.path === '/thanks.html'), 'the next view');
    await env.leave(tab, '/thanks.html');

    const beacons = env.recorder.beacons;
    const [pricing] = ofType(beacons, 'leave').filter((l) => l.path === '/pricing.html');
    assert.equal(pricing.next, '/thanks.html', 'the pricing page is no exit');
    assert.equal(ofType(beacons, 'view')[1].previous, '/pricing.html');
    await env.allAccepted();
  });

  test('counts a script navigation to another site as an exit, with no outbound event', async () => {
    const { page: tab } = await env.open({
      'away.html': page('<button onclick="location.href = \'https://example.org/\'">Leave</button>'),
    }, { path: '/away.html' });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    await tab.route('https://example.org/**', (route) => route.fulfill({ body: 'elsewhere', contentType: 'text/html' }));
    await tab.click('button');
    await env.waitFor((b) => ofType(b, 'leave').length === 1, 'the leave');

    const beacons = env.recorder.beacons;
    assert.equal(ofType(beacons, 'leave')[0].next, undefined, 'the page is an exit');
    assert.deepEqual(ofType(beacons, 'event'), []);
  });
});
