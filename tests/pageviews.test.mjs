// Page views and unique visitors: two people browse the demo site, served from another origin
// than the edge as on a real site; the pages API and the summary page count them.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serveDemo } from '../www/serve-demo.mjs';
import { expectBeacon, humanBrowser, humanContext, UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { todayUtc, waitForViews } from './support/edge.mjs';
import { countsByPath, RESULTS_DIR, totals, useEdge } from './support/fixtures.mjs';

describe('page views', () => {
  const env = useEdge();
  let browser;
  let demo;

  const EXPECTED = {
    '/': { views: 2, visitors: 2 },
    '/pricing.html': { views: 1, visitors: 1 },
    '/docs.html': { views: 1, visitors: 1 },
  };

  before(async () => {
    browser = await humanBrowser();
    demo = await serveDemo({ edge: env.edge.url, site: 'demo' });
    // The server listens on 127.0.0.1; calling it localhost gives it another host (and port)
    // than the edge at 127.0.0.1, so the snippet's beacons are cross-origin.
    const demoUrl = demo.url.replace('127.0.0.1', 'localhost');
    const navLink = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

    // Visitor A reads the home page, then pricing, then the docs, following links.
    const a = await humanContext(browser, UA_WINDOWS);
    const pageA = await a.newPage();
    await expectBeacon(pageA, env.edge.url, '/', () => pageA.goto(`${demoUrl}/`));
    await expectBeacon(pageA, env.edge.url, '/pricing.html', () => navLink(pageA, 'Pricing').click());
    await expectBeacon(pageA, env.edge.url, '/docs.html', () => navLink(pageA, 'Docs').click());
    await a.close();

    // Visitor B only looks at the home page.
    const b = await humanContext(browser, UA_MAC);
    const pageB = await b.newPage();
    await expectBeacon(pageB, env.edge.url, '/', () => pageB.goto(`${demoUrl}/`));
    await b.close();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  test('counts every page view and each visitor once per page in the pages API', async () => {
    const result = await waitForViews(() => env.pages(), (r) => r.totals.views >= 4);

    assert.equal(result.site, 'demo');
    assert.equal(result.from, todayUtc());
    assert.equal(result.to, todayUtc());
    assert.deepEqual(countsByPath(result), EXPECTED, 'exactly the visited pages, nothing else');
    assert.deepEqual(totals(result), { views: 4, visitors: 2 });
  });

  test('shows the same counts on the summary page', async () => {
    await waitForViews(() => env.pages(), (r) => r.totals.views >= 4);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const res = await page.goto(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`);
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-type'], /^text\/html/);
      await mkdir(RESULTS_DIR, { recursive: true });
      await page.screenshot({ path: path.join(RESULTS_DIR, 'summary.png'), fullPage: true });

      const rows = await page.evaluate(readTableRows);
      for (const [pagePath, counts] of Object.entries(EXPECTED)) {
        assert.deepEqual(rows[pagePath], counts, `summary row for ${pagePath}`);
      }
      assert.equal(rows['/about.html'], undefined, 'no row for a page nobody visited');
    } finally {
      await context.close();
    }
  });
});

/**
 * Runs in the page: `{ [path]: { views, visitors } }` from the first table row whose first cell
 * (or an element in it, such as a link) reads `path`. Tolerant of markup: the columns are found
 * by their header text, or else taken to be the first two whole numbers after the path.
 */
function readTableRows() {
  const number = (cell) => {
    const text = cell?.textContent.replace(/[\s,\u00a0\u202f]/g, '') ?? ''; // thousands separators
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  const isHeaderRow = (tr) => [...tr.cells].every((cell) => cell.tagName === 'TH');
  const rows = {};
  for (const table of document.querySelectorAll('table')) {
    const headerRow = [...table.rows].find(isHeaderRow);
    const headers = [...(headerRow?.cells ?? [])].map((th) => th.textContent.trim().toLowerCase());
    const column = (name) => {
      const index = headers.findIndex((header) => header.includes(name));
      return index > 0 ? index : undefined;
    };
    for (const tr of table.rows) {
      if (tr === headerRow || tr.cells.length < 3) continue;
      const [first, ...rest] = tr.cells;
      const numbers = rest.map(number).filter((n) => n !== undefined);
      const counts = {
        views: number(tr.cells[column('views')]) ?? numbers[0],
        visitors: number(tr.cells[column('visitors')]) ?? numbers[1],
      };
      for (const element of [first, ...first.querySelectorAll('*')]) {
        rows[element.textContent.trim()] ??= counts;
      }
    }
  }
  return rows;
}
