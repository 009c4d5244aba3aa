// Bots: a browser that reports navigator.webdriver sends one `dropped` beacon and nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { botBrowser, humanContext, UA_WINDOWS } from './support/browser.mjs';
import { page, useSnippet } from './support/snippet.mjs';
import { serveHtml } from '../www/serve-demo.mjs';

describe('bots in the snippet', () => {
  const env = useSnippet();
  let bots;
  before(async () => { bots = await botBrowser(); });
  after(async () => { await bots?.close(); });

  test('sends only a dropped beacon from a browser that reports navigator.webdriver', async () => {
    const server = await serveHtml({ 'index.html': page('<button id="b">Go</button><a href="https://x.example/">x</a>') },
      { edge: env.recorder.url, site: 'demo' });
    const context = await humanContext(bots, UA_WINDOWS);
    try {
      const tab = await context.newPage();
      await tab.goto(server.url);
      await env.waitFor((b) => b.length === 1, 'the dropped beacon');
      await tab.click('#b');
      await env.settle(tab);
      assert.deepEqual(env.recorder.beacons, [{ site: 'demo', type: 'dropped' }]);
      await env.allAccepted();
      assert.equal((await env.pages()).totals.bots_dropped, 1);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
