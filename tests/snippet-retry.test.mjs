// The retry queue: a beacon that could not reach the edge is sent again, once, with the next page
// view. Across documents that needs sessionStorage, so only with journey consent.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const JOURNEY = '<script>window.tacit = function () { (tacit.q = tacit.q || []).push(arguments); };'
  + "tacit('consent', { measurement: true, journey: true });</script>";

describe('retry queue', () => {
  const env = useSnippet();

  test('sends the view that failed while the edge was down with the next route change', async () => {
    env.recorder.down = true;
    const { page: tab } = await env.open({
      'app/index.html': page(`<button id="a" onclick="history.pushState({}, '', '/app/a')">A</button>`),
    }, { path: '/app/' });
    await env.waitFor(() => env.recorder.refused >= 1, 'the failed view');
    env.recorder.down = false;
    await tab.click('#a');
    const beacons = await env.waitFor((b) => ofType(b, 'view').length === 2, 'both views');

    assert.deepEqual(ofType(beacons, 'view').map((v) => v.path).sort(), ['/app/', '/app/a']);
    await env.allAccepted();
    const pages = await env.pages();
    assert.equal(pages.pages.find((p) => p.path === '/app/')?.views, 1);
  });

  test('with journey consent, sends the view that failed with the next page of the tab', async () => {
    env.recorder.down = true;
    const { page: tab } = await env.open({
      'index.html': page('<a id="next" href="/next.html">Next</a>', { head: JOURNEY }),
      'next.html': page('<h1>Next</h1>', { head: JOURNEY }),
    });
    await env.waitFor(() => env.recorder.refused >= 1, 'the failed view');
    env.recorder.down = false;
    await tab.click('#next');
    const beacons = await env.waitFor((b) => ofType(b, 'view').length === 2, 'both views');
    assert.deepEqual(ofType(beacons, 'view').map((v) => v.path).sort(), ['/', '/next.html']);
    assert.equal(await tab.evaluate(() => sessionStorage.getItem('tacit:q')), null, 'the queue is emptied once sent');
  });

  test('without journey consent, keeps nothing in the browser for the next page', async () => {
    env.recorder.down = true;
    const { page: tab } = await env.open({
      'index.html': page('<a id="next" href="/next.html">Next</a>'),
      'next.html': page('<h1>Next</h1>'),
    });
    await env.waitFor(() => env.recorder.refused >= 1, 'the failed view');
    env.recorder.down = false;
    await tab.click('#next');
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the next view');
    assert.equal(await tab.evaluate(() => sessionStorage.length + localStorage.length), 0);
    assert.deepEqual(ofType(env.recorder.beacons, 'view').map((v) => v.path), ['/next.html']);
  });
});
