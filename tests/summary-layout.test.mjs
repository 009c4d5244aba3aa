// What a person sees of a small site's pages on a phone (390 px) and a desktop (1280 px): the
// summary, a page report and the privacy page. Every table fits or scrolls sideways with a
// visible cue, no word is cut in two, and the visitors-per-day chart has legible values and
// dates. Each page is photographed into test-results/ to look at.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { humanBrowser, SCREENS } from './support/browser.mjs';
import { createSite, pages, todayUtc } from './support/edge.mjs';
import { RESULTS_DIR, useEdge } from './support/fixtures.mjs';
import { LONG_PATH, sendSmallSite } from './support/small-site.mjs';

/**
 * Runs in the page: every table that is neither wholly in view nor in a frame that scrolls it
 * sideways and shows a cue (a shadow) at its edges, as `"<first header>: <why>"`.
 */
function tablesOutOfSight() {
  const problems = [];
  const screen = document.documentElement.clientWidth;
  for (const table of document.querySelectorAll('main table')) {
    const name = table.querySelector('th')?.textContent.trim();
    // The nearest box that clips the table sideways: the frame it scrolls in, if any.
    let frame = table.parentElement;
    while (frame !== document.body && getComputedStyle(frame).overflowX === 'visible') frame = frame.parentElement;
    if (frame === document.body) {
      if (table.getBoundingClientRect().right > screen + 0.5) problems.push(`${name}: wider than the screen`);
      continue;
    }
    if (frame.getBoundingClientRect().right > screen + 0.5) problems.push(`${name}: its frame is wider than the screen`);
    if (table.getBoundingClientRect().width > frame.clientWidth + 0.5
      && !getComputedStyle(frame).backgroundImage.includes('gradient')) {
      problems.push(`${name}: cut off, with nothing to say that it scrolls`);
    }
  }
  return problems;
}

/**
 * Runs in the page: the words of table cells that a line break cuts in two. A word is a run of
 * letters and digits: a line may break at a space, and in names at `/`, `_` or `-`.
 */
function wordsCutInTwo() {
  const cut = [];
  for (const cell of document.querySelectorAll('main th, main td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/[\p{L}\p{N}]+/gu)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.bottom)));
        if (lines.size > 1) cut.push(word[0]);
      }
    }
  }
  return cut;
}

/** Runs in the page: the visible daily chart's text, with the smallest rendered font size. */
function visibleChart() {
  const chart = [...document.querySelectorAll('svg.chart')].find((svg) => svg.getBoundingClientRect().width > 0);
  if (!chart) return null;
  // Text a browser draws: not inside another shape, which it would skip.
  const drawn = [...chart.querySelectorAll('text')].filter((text) => text.parentElement === chart);
  const heights = drawn.map((text) => text.getBoundingClientRect().height);
  return {
    axis: drawn.filter((text) => text.classList.contains('axis')).map((text) => text.textContent),
    values: drawn.filter((text) => text.classList.contains('value')).map((text) => text.textContent),
    smallest: Math.min(...heights),
  };
}

describe('a small site\'s pages at a phone\'s and a desktop\'s width', () => {
  const env = useEdge();
  let browser;
  let site;

  before(async () => {
    site = await createSite(env.edge.url, env.edge.adminToken, 'acme', { k: 5 });
    await sendSmallSite(env.edge.url, 'acme', () => pages(env.edge.url, 'acme', site.viewer_token));
    browser = await humanBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  const targets = () => ({
    summary: `/s/acme?key=${site.viewer_token}`,
    page: `/s/acme/p?path=${encodeURIComponent(LONG_PATH)}&key=${site.viewer_token}`,
    privacy: `/privacy/acme?key=${site.auditor_token}`,
  });

  for (const [screen, viewport] of SCREENS) {
    // Issue 18: at 390 px tables cut off their last column with no cue and broke words
    // ("anonymo us", paths mid-segment); at 1280 px the consent rates lost their DNT column.
    test(`${screen}: every table fits or scrolls with a cue, and no word is cut in two`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const problems = {};
      for (const [name, target] of Object.entries(targets())) {
        const res = await page.goto(`${env.edge.url}${target}`);
        assert.equal(res.status(), 200, name);
        await page.screenshot({ path: path.join(RESULTS_DIR, `summary-layout-${name}-${screen}.png`), fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        problems[name] = {
          overflow: Math.max(overflow, 0),
          tables: await page.evaluate(tablesOutOfSight),
          cutWords: await page.evaluate(wordsCutInTwo),
        };
      }
      const none = { overflow: 0, tables: [], cutWords: [] };
      assert.deepEqual(problems, { summary: none, page: none, privacy: none });
      await context.close();
    });

    // Issue 18: the chart had no axis, no values and no dates (its labels were drawn inside
    // an unclosed <polyline>, where a browser does not show them).
    test(`${screen}: the visitors-per-day chart shows its values and dates legibly`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${env.edge.url}${targets().summary}`);
      const chart = await page.evaluate(visibleChart);
      assert.ok(chart, 'a chart is shown');
      const [, month, day] = todayUtc().split('-').map(Number);
      const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
      assert.ok(chart.axis.includes(`${day} ${months[month - 1]}`), `today under its bar: ${chart.axis}`);
      assert.ok(chart.axis.includes('0') && chart.axis.includes('60'), `a value axis from 0 to 60: ${chart.axis}`);
      assert.deepEqual(chart.values, ['50'], 'today\'s 50 visitors above the bar');
      assert.ok(chart.smallest >= 10, `text at least 10 px high, not ${chart.smallest}`);

      // A single day: one bar with its whole date under it, once.
      await page.getByRole('link', { name: 'Today' }).click();
      await page.waitForURL(/from=/);
      const today = await page.evaluate(visibleChart);
      const year = todayUtc().slice(0, 4);
      assert.deepEqual(today.axis.filter((text) => /[A-Z]/.test(text)), [`${day} ${months[month - 1]} ${year}`]);
      assert.deepEqual(today.values, ['50']);
      await context.close();
    });
  }
});
