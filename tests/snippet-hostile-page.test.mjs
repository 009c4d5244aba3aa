// A host page that overrides Array.prototype.push, JSON.stringify and fetch still gets correct
// beacons, and tacit throws nothing into it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edgeFetch } from './support/edge.mjs';
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

  test('that removes fetch gets a bare view, and the summary names fetch as the cause, not the CSP', async () => {
    const noFetch = '<script>window.fetch = undefined;</script>';
    const { page: tab } = await env.open({ 'shop.html': page('<h1>Shop</h1>', { head: noFetch }) }, { path: '/shop.html' });
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await env.waitFor((b) => b.some((x) => x.path === '/shop.html'), 'the bare view');
    await env.settle(tab);
    assert.deepEqual(env.recorder.beacons, [{ site: 'demo', type: 'view', path: '/shop.html', bare: 'not_loaded' }]);
    await env.allAccepted();
    assert.deepEqual(errors, []);

    const metrics = await env.metrics();
    assert.deepEqual([metrics.bare_views.current, metrics.bare_views_not_loaded.current, metrics.bare_views_wasm_refused.current], [1, 1, 0]);
    const html = await (await edgeFetch(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`)).text();
    assert.match(html, /1 page views were counted by their path only: tacit's WebAssembly could not be fetched, because a script of the page replaced <code>window\.fetch<\/code>/);
    assert.doesNotMatch(html, /Content-Security-Policy|wasm-unsafe-eval/, 'the CSP is not blamed');
  });
});
