// A host page that overrides Array.prototype.push, JSON.stringify and fetch still gets correct
// beacons, and tacit throws nothing into it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const HOSTILE = `<script>
  const realFetch = window.fetch;
  window.fetch = function (url, init) {
    return realFetch.call(this, url, init && init.body ? Object.assign({}, init, { body: 'tampered' }) : init);
  };
  Array.prototype.push = function () { throw new Error('push is broken on this page'); };
  JSON.stringify = function () { return '{"broken":true}'; };
</script>`;

describe('a hostile host page', () => {
  const env = useSnippet();

  test('still gets correct view, goal and leave beacons, and sees no error from tacit', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Legacy</h1>', { head: HOSTILE }) });
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.evaluate(() => window.tacit('goal', 'signup', { value: 3 }));
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the goal');
    await env.leave(tab, '/');

    assert.deepEqual(env.recorder.beacons.map((b) => b.type), ['view', 'event', 'leave']);
    assert.deepEqual(ofType(env.recorder.beacons, 'event')[0].event, { kind: 'goal', name: 'signup', value_milli: 3000 });
    await env.allAccepted();
    assert.deepEqual(errors, []);
  });
});
