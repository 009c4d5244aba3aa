// The fixture of the snippet's specs: one edge per spec file, a recording proxy in front of it
// (see beacons.mjs), a browser that plays a person, and `open()` to serve a few generated pages
// from another origin and visit one. Every context and page server is closed after its test.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';
import { serveHtml } from '../../www/serve-demo.mjs';
import { startRecorder } from './beacons.mjs';
import { apiRequest, todayUtc } from './edge.mjs';
import { humanBrowserAs, humanContext, UA_WINDOWS } from './browser.mjs';
import { useEdge } from './fixtures.mjs';

export { ofType, page } from './beacons.mjs';

/** An init script: the page's own `tacit` stub with a consent call queued before tacit loads. */
export const consenting = (consent) => `window.tacit = function () { (window.tacit.q = window.tacit.q || []).push(arguments); };
  window.tacit('consent', ${JSON.stringify(consent)});`;

export function useSnippet() {
  const env = useEdge();
  let cleanups = [];
  before(async () => {
    env.recorder = await startRecorder(env.edge.url);
    // A human user agent for the whole browser too: beacons sent as a page unloads (the leave)
    // do not carry a context's override, and as `HeadlessChrome` the edge drops them as a bot's.
    env.browser = await humanBrowserAs(UA_WINDOWS);
  });
  after(async () => {
    await env.browser?.close();
    await env.recorder?.close();
  });
  beforeEach(() => env.recorder.clear());
  afterEach(async () => {
    for (const cleanup of cleanups) await cleanup();
    cleanups = [];
  });

  /**
   * Serves `pages` ({ 'index.html': html, ... }) and opens `path` in a new context of a person
   * with user agent `ua`. `init` runs in every page before its scripts (to fake a browser
   * setting); `clock` installs Playwright's clock first; `referer` is where the visitor came from. Resolves to `{ page, base, context }`.
   */
  env.open = async (pages, { path = '/', ua = UA_WINDOWS, init, clock = false, referer } = {}) => {
    const server = await serveHtml(pages, { edge: env.recorder.url, site: 'demo' });
    const context = await humanContext(env.browser, ua);
    cleanups.push(async () => {
      await context.close();
      await server.close();
    });
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    if (clock) await page.clock.install();
    // localhost, not 127.0.0.1: the pages are on another origin than the edge, as on a real site.
    const base = server.url.replace('127.0.0.1', 'localhost');
    await page.goto(`${base}${path}`, { referer });
    return { page, base, context };
  };

  /** What `page` writes to the console as warnings, and the errors it throws, as they come. */
  env.watchConsole = (page) => {
    const seen = { warnings: [], errors: [] };
    page.on('console', (message) => message.type() === 'warning' && seen.warnings.push(message.text()));
    page.on('pageerror', (error) => seen.errors.push(error.message));
    return seen;
  };

  /** Waits until `predicate(beacons)` holds; see Recorder.waitFor. */
  env.waitFor = (predicate, what) => env.recorder.waitFor(predicate, what);

  /** Leaves `page` (pagehide) and waits for the leave beacon of `path`. */
  env.leave = async (page, path) => {
    await page.goto('about:blank');
    const beacons = await env.waitFor((b) => b.some((x) => x.type === 'leave' && x.path === path), `leave of ${path}`);
    return beacons.find((x) => x.type === 'leave' && x.path === path);
  };

  /** The demo site's summary metrics for today (UTC). */
  env.metrics = async () => {
    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/demo/summary?from=${day}&to=${day}`, { token: env.site.viewer_token });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()).summary.metrics;
  };

  /** Every beacon so far was accepted by the edge (202). */
  env.allAccepted = async () => {
    await env.waitFor(() => env.recorder.statuses.every((s) => s !== 0), 'the edge to answer');
    assert.deepEqual(env.recorder.statuses.filter((s) => s !== 202), [], `refused: ${env.recorder.bodies.join('\n')}`);
  };

  /** Leaves `page` and gives a beacon that must not come time to arrive: 300 ms, bounded. */
  env.settle = async (page) => {
    await page.goto('about:blank');
    await new Promise((resolve) => setTimeout(resolve, 300));
  };
  return env;
}
