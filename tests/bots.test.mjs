// Bots: the snippet drops page views from automated browsers (navigator.webdriver) and from
// known crawler user agents. Each test pairs the bot's visit with a person's, so a missing
// count means "dropped", not "snippet broken"; each uses its own site so counts stay apart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serveHtml } from '../www/serve-demo.mjs';
import { botBrowser, expectBeacon, humanBrowser, humanContext, UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { createSite, pages, waitForViews } from './support/edge.mjs';
import { countsByPath, useEdge } from './support/fixtures.mjs';

const GOOGLEBOT =
  'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) '
  + 'Chrome/131.0.0.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

const page = (title) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <script defer src="{{EDGE}}/t.js" data-site="{{SITE}}"></script>
</head>
<body><h1>${title}</h1></body>
</html>`;

describe('bots', () => {
  const env = useEdge();
  let humans;
  let bots;

  before(async () => {
    [humans, bots] = await Promise.all([humanBrowser(), botBrowser()]);
  });

  after(async () => {
    await humans?.close();
    await bots?.close();
  });

  /**
   * Serves two pages for a fresh site; the bot loads one with `botContext`, then a person loads
   * the other. Resolves to the site's counts once the person's view has been counted.
   */
  async function botThenPerson(siteId, botContext) {
    const site = await createSite(env.edge.url, env.edge.adminToken, siteId);
    const server = await serveHtml(
      { 'bot.html': page('For the bot'), 'person.html': page('For a person') },
      { edge: env.edge.url, site: siteId },
    );
    try {
      const botPage = await botContext.newPage();
      const loaded = [];
      botPage.on('response', (res) => loaded.push(`${res.status()} ${new URL(res.url()).pathname}`));
      await botPage.goto(`${server.url}/bot.html`);
      // Network idle: the snippet has loaded its WebAssembly and sent whatever it was going to.
      // The page stays open until the person's view is counted, so nothing is cut short.
      await botPage.waitForLoadState('networkidle');
      assert.ok(loaded.some((line) => /^200 \/t\/.+\.wasm$/.test(line)), `the bot ran the snippet: ${loaded}`);

      const person = await humanContext(humans, UA_MAC);
      const personPage = await person.newPage();
      await expectBeacon(personPage, env.edge.url, '/person.html', () => personPage.goto(`${server.url}/person.html`));
      await person.close();

      const counted = (r) => r.pages.some((p) => p.path === '/person.html');
      return await waitForViews(() => pages(env.edge.url, siteId, site.viewer_token), counted);
    } finally {
      await botContext.close();
      await server.close();
    }
  }

  test('does not count a page view from a browser that reports navigator.webdriver', async () => {
    // A desktop user agent: the only thing that gives this bot away is navigator.webdriver.
    const context = await humanContext(bots, UA_WINDOWS);
    const webdriver = await (await context.newPage()).evaluate(() => navigator.webdriver);
    assert.equal(webdriver, true, 'premise: the bot browser reports navigator.webdriver');

    const result = await botThenPerson('webdriver', context);
    assert.deepEqual(countsByPath(result), { '/person.html': { views: 1, visitors: 1 } });
  });

  test('does not count a page view from a known crawler user agent', async () => {
    // A browser that hides automation (navigator.webdriver is false) but says it is Googlebot.
    const context = await humanContext(humans, GOOGLEBOT);
    const result = await botThenPerson('crawler', context);
    assert.deepEqual(countsByPath(result), { '/person.html': { views: 1, visitors: 1 } });
  });
});
