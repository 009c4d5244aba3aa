#!/usr/bin/env node
// `make bench`: the snippet's main-thread time at start-up, in Chromium, on the demo site's home
// page. Prints three lines:
//
//   snippet_startup_ms=X   all of tacit's main-thread time for its start-up (median of RUNS loads)
//   snippet_load_ms=X      the part of it before the page's load event, while the page loads
//   snippet_long_tasks=N   main-thread tasks over 50 ms (wall clock) with tacit in them, over
//                          all loads
//
// The loader defers its start-up until the page has loaded and the browser is idle, so the
// second figure is the script's evaluation and the first is the whole cost, wherever it falls.
//
//   node scripts/bench-snippet.mjs              # after `make build`
//   node scripts/bench-snippet.mjs other/www/dist   # another build's files, to compare
//
// What is measured: everything the renderer's main thread does for tacit while the page loads,
// read from a Chromium performance trace (the same events as DevTools' Performance panel):
//
// - compiling and running t.js (`EvaluateScript`, `v8.compile`, `v8.produceCache` of t.js),
// - the WebAssembly's compilation and instantiation where they touch the main thread
//   (`v8.wasm.*`, `wasm.*`: streaming compilation is fed from the main thread, and each function
//   is compiled lazily there on its first call),
// - promise callbacks (`RunMicrotasks`: the module's instantiation hands over to the start-up
//   in one) and every function of t.js that the browser calls (`FunctionCall`: listeners,
//   timers, observers), with the style and layout work they force.
//
// The demo page runs no script of its own, and nothing of the harness runs in the page while
// the trace records (the harness waits for the page view beacon at the stand-in edge, not with
// page.evaluate), so all such time is tacit's. Nested events are counted once. A load ends
// 500 ms after the page view beacon arrives, time enough for the start-up, the buffered Web
// Vitals entries and anything tacit defers. Tracing itself slows the browser down a little, so
// the figure is an upper bound. The breakdown by event (median per load) goes to stderr.
//
// The times are the main thread's CPU time in those events (the trace's thread time), not
// their wall-clock time: on a machine shared with other work the main thread also waits for a
// core, which says nothing about tacit and can triple the wall-clock figure. On an idle machine
// the two agree; the wall-clock median is printed to stderr beside it.
//
// The edge is replaced by a static server for www/dist, so that only the browser's work is
// timed, and the page is loaded from another origin than the edge, as on a client's site.
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serveDemo } from '../www/serve-demo.mjs';
import { humanBrowser, humanContext, UA_WINDOWS } from '../tests/support/browser.mjs';
import { REPO_ROOT } from '../tests/support/edge.mjs';

const RUNS = 15;
const SETTLE_MS = 500;
const LONG_TASK_MS = 50;
const DIST = path.resolve(process.argv[2] || path.join(REPO_ROOT, 'www', 'dist'));
const CATEGORIES = ['toplevel', 'devtools.timeline', 'v8', 'v8.execute', 'v8.wasm'];

const files = {
  '/t.js': [readFileSync(path.join(DIST, 't.js')), 'text/javascript'],
  ...Object.fromEntries(readdirSync(path.join(DIST, 't')).map((name) =>
    [`/t/${name}`, [readFileSync(path.join(DIST, 't', name)), 'application/wasm']])),
};
let beaconArrived = () => {};
const edge = http.createServer((req, res) => {
  const headers = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
  const file = files[req.url];
  if (req.method === 'POST') {
    req.resume();
    res.writeHead(202, headers).end();
    beaconArrived();
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

/** Whether a trace event is main-thread work done for tacit (see the top of this file). */
function isTacit(event) {
  const url = event.args?.data?.url || event.args?.fileName || event.args?.data?.fileName || '';
  switch (event.name) {
    case 'EvaluateScript':
    case 'FunctionCall':
    case 'v8.compile':
    case 'v8.produceCache':
      return url.endsWith('/t.js');
    case 'RunMicrotasks':
      return true;
    default:
      return event.name.startsWith('v8.wasm.') || event.name.startsWith('wasm.');
  }
}

/** Tacit's main-thread milliseconds in a trace, by event name and before the page's load
 * event, and its long tasks. */
function tacitTime(trace) {
  const { traceEvents } = JSON.parse(trace);
  const evaluation = traceEvents.find((e) => e.name === 'EvaluateScript' && isTacit(e));
  if (!evaluation) throw new Error('t.js did not run');
  const loaded = traceEvents.find((e) => e.name === 'MarkLoad'
    && e.args?.data?.frame === evaluation.args.data.frame);
  if (!loaded) throw new Error('the page did not load');
  const onMain = (e) => e.pid === evaluation.pid && e.tid === evaluation.tid && e.ph === 'X';
  const events = traceEvents.filter(onMain).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const byName = {};
  let beforeLoad = 0;
  let wall = 0;
  let countedUntil = 0;
  for (const event of events) {
    if (event.ts < countedUntil || !isTacit(event)) continue;
    const cpu = (event.tdur ?? event.dur) / 1000;
    byName[event.name] = (byName[event.name] || 0) + cpu;
    if (event.ts < loaded.ts) beforeLoad += cpu;
    wall += event.dur / 1000;
    countedUntil = event.ts + event.dur;
  }
  const tasks = events.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  const longTasks = tasks.filter((task) => task.dur / 1000 > LONG_TASK_MS && events.some((e) =>
    isTacit(e) && e.ts >= task.ts && e.ts < task.ts + task.dur)).length;
  return { byName, beforeLoad, wall, longTasks };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const samples = [];
const duringLoad = [];
const wallClock = [];
const names = {};
let longTasks = 0;
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await humanContext(browser, UA_WINDOWS);
    const page = await context.newPage();
    const beacon = new Promise((resolve) => { beaconArrived = resolve; });
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.goto(`${demo.url.replace('127.0.0.1', 'localhost')}/`);
    await beacon;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const result = tacitTime((await browser.stopTracing()).toString());
    const total = Object.values(result.byName).reduce((sum, ms) => sum + ms, 0);
    samples.push(total);
    duringLoad.push(result.beforeLoad);
    wallClock.push(result.wall);
    for (const [name, ms] of Object.entries(result.byName)) (names[name] ||= []).push(ms);
    longTasks += result.longTasks;
    await context.close();
  }
} finally {
  await browser.close();
  await demo.close();
  edge.close();
}
const breakdown = Object.entries(names)
  .map(([name, values]) => [name, median([...values, ...Array(RUNS - values.length).fill(0)])])
  .sort((a, b) => b[1] - a[1])
  .map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ');
const sorted = [...samples].sort((a, b) => a - b);
console.error(`snippet start-up over ${RUNS} loads: min ${sorted[0].toFixed(2)} ms, `
  + `median ${median(samples).toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms `
  + `(median per event: ${breakdown}; wall clock: median ${median(wallClock).toFixed(2)} ms); `
  + `before the load event: median `
  + `${median(duringLoad).toFixed(2)} ms, max ${Math.max(...duringLoad).toFixed(2)} ms; `
  + `long tasks with tacit in them: ${longTasks}`);
console.log(`snippet_startup_ms=${median(samples).toFixed(2)}`);
console.log(`snippet_load_ms=${median(duringLoad).toFixed(2)}`);
console.log(`snippet_long_tasks=${longTasks}`);
