// A Content-Security-Policy that blocks WebAssembly (no 'wasm-unsafe-eval'): the loader still
// counts the page view, from JavaScript.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edgeFetch } from './support/edge.mjs';
import { page, useSnippet } from './support/snippet.mjs';

describe('CSP without WebAssembly', () => {
  const env = useSnippet();

  test('sends a bare page view when the page may not run WebAssembly', async () => {
    const csp = `<meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline' {{EDGE}}; connect-src {{EDGE}}">`;
    const { page: tab } = await env.open({ 'pricing.html': page('<h1>Pricing</h1>', { head: csp }) }, { path: '/pricing.html?plan=pro' });
    await env.waitFor((b) => b.length === 1, 'the bare view');
    await env.settle(tab);
    assert.deepEqual(env.recorder.beacons, [{ site: 'demo', type: 'view', path: '/pricing.html', bare: 'wasm_refused' }]);
    await env.allAccepted();
    assert.equal((await env.pages()).pages.find((p) => p.path === '/pricing.html')?.views, 1);
    // The summary says how many views came bare, and what the site owner can do about it.
    const metrics = await env.metrics();
    assert.deepEqual([metrics.bare_views.current, metrics.bare_views_wasm_refused.current, metrics.bare_views_not_loaded.current], [1, 1, 0]);
    const html = await (await edgeFetch(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`)).text();
    assert.match(html, /1 page views were counted by their path only: the browser refused to run tacit's WebAssembly, as a page's Content-Security-Policy without <code>'wasm-unsafe-eval'<\/code>/);
    assert.doesNotMatch(html, /window\.fetch/, 'no other cause is named');
  });
});
