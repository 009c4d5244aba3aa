// Single-page apps: history.pushState, replaceState and popstate are page views; a change of the
// fragment only is not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const APP = page(`<h1>App</h1>
  <button id="a" onclick="history.pushState({}, '', '/app/a')">A</button>
  <button id="b" onclick="history.pushState({}, '', '/app/b?utm_source=Mail')">B</button>
  <button id="c" onclick="history.replaceState({}, '', '/app/c')">C</button>
  <a id="top" href="#top">Top</a>`);

describe('single-page apps', () => {
  const env = useSnippet();

  test('counts three route changes as three views, each leaving the last with its next page', async () => {
    const { page: tab } = await env.open({ 'app/index.html': APP }, { path: '/app/' });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    for (const id of ['a', 'b', 'c']) await tab.click(`#${id}`);
    await tab.click('#top');
    const beacons = await env.waitFor(
      (b) => ofType(b, 'view').length === 4 && ofType(b, 'leave').length === 3,
      'four views and the three leaves between them',
    );

    // Each beacon is its own request, so they are compared in path order, not arrival order.
    const byPath = (a, b) => a.path.localeCompare(b.path);
    const views = ofType(beacons, 'view').sort(byPath);
    assert.deepEqual(views.map((v) => [v.path, v.previous ?? null]), [
      ['/app/', null], ['/app/a', '/app/'], ['/app/b', '/app/a'], ['/app/c', '/app/b'],
    ]);
    assert.equal(views[2].utm?.source, 'mail');
    assert.deepEqual(ofType(beacons, 'leave').sort(byPath).map((l) => [l.path, l.next, l.entry]), [
      ['/app/', '/app/a', true], ['/app/a', '/app/b', false], ['/app/b', '/app/c', false],
    ]);
    const leave = await env.leave(tab, '/app/c');
    assert.equal(leave.next, undefined);
    assert.equal(ofType(env.recorder.beacons, 'view').length, 4, 'no view for the fragment change');
    await env.allAccepted();
  });

  test('marks a route left within 5 s back to the previous one as a quick back', async () => {
    const { page: tab } = await env.open({ 'app/index.html': APP }, { path: '/app/' });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    await tab.click('#a');
    await env.waitFor((b) => ofType(b, 'view').length === 2, 'the route change');
    await tab.goBack();
    // The leave and the next view are separate requests: either may reach the edge first.
    const beacons = await env.waitFor(
      (b) => ofType(b, 'view').length === 3 && ofType(b, 'leave').length === 2,
      'the leave of /app/a and the view after going back',
    );
    const leaves = ofType(beacons, 'leave');
    const back = leaves.find((l) => l.path === '/app/a');
    assert.deepEqual([back.next, back.quick_back], ['/app/', true]);
    assert.equal(leaves.find((l) => l.path === '/app/').quick_back, false);
  });
});
