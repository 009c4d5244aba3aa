#!/usr/bin/env node
// `make bench`: the snippet's main-thread time at start-up, in Chromium, on the demo site's home
// page. Prints `snippet_startup_ms=X`, the median over RUNS fresh page loads.
//
//   node scripts/bench-snippet.mjs        # after `make build`
//
// What is measured: the loader records its own synchronous work as `performance.measure` entries
// named `tacit` (the script's evaluation, then the start of the WebAssembly: reading the page,
// the first beacon, every listener). Their sum is tacit's main-thread time; the download and the
// compilation of the WebAssembly happen off the main thread and are not in it. The edge is
// replaced by a static server for www/dist, so that only the browser's work is timed. Long tasks
// during the load are reported too (there should be none caused by tacit).
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serveDemo } from '../www/serve-demo.mjs';
import { humanBrowser, humanContext, UA_WINDOWS } from '../tests/support/browser.mjs';
import { REPO_ROOT } from '../tests/support/edge.mjs';

const RUNS = 15;
const DIST = path.join(REPO_ROOT, 'www', 'dist');

const files = {
  '/t.js': [readFileSync(path.join(DIST, 't.js')), 'text/javascript'],
  ...Object.fromEntries(readdirSync(path.join(DIST, 't')).map((name) =>
    [`/t/${name}`, [readFileSync(path.join(DIST, 't', name)), 'application/wasm']])),
};
const edge = http.createServer((req, res) => {
  const headers = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
  const file = files[req.url];
  if (req.method === 'POST') {
    req.resume();
    res.writeHead(202, headers).end();
  } else if (file) {
    res.writeHead(200, { ...headers, 'Content-Type': file[1] }).end(file[0]);
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => edge.listen(0, '127.0.0.1', resolve));
const edgeUrl = `http://127.0.0.1:${edge.address().port}`;
const demo = await serveDemo({ edge: edgeUrl, site: 'demo' });
const browser = await humanBrowser();

const samples = [];
let longTasks = 0;
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await humanContext(browser, UA_WINDOWS);
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__longTasks = 0;
      new PerformanceObserver((list) => { window.__longTasks += list.getEntries().length; })
        .observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${demo.url.replace('127.0.0.1', 'localhost')}/`);
    const ms = await page.waitForFunction(() => {
      const entries = performance.getEntriesByName('tacit');
      return entries.length === 2 && entries.reduce((sum, e) => sum + e.duration, 0);
    }).then((handle) => handle.jsonValue());
    longTasks += await page.evaluate(() => window.__longTasks);
    samples.push(ms);
    await context.close();
  }
} finally {
  await browser.close();
  await demo.close();
  edge.close();
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.error(`snippet start-up over ${RUNS} loads: min ${samples[0].toFixed(2)} ms, `
  + `median ${median.toFixed(2)} ms, max ${samples.at(-1).toFixed(2)} ms; long tasks on the page: ${longTasks}`);
console.log(`snippet_startup_ms=${median.toFixed(2)}`);
