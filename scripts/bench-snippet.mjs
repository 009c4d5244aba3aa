#!/usr/bin/env node
// `make bench`: the snippet's main-thread time at start-up, in Chromium, on the demo site's home
// page, next to Plausible's and Umami's trackers loaded the same way. Prints, for tacit:
//
//   snippet_startup_ms=X   all of tacit's main-thread time for its start-up (median of RUNS loads)
//   snippet_load_ms=X      the part of it before the page's load event, while the page loads
//   snippet_long_tasks=N   main-thread tasks over 50 ms (wall clock) with tacit in them, over
//                          all loads
//
// and tracker_<id>_startup_ms, tracker_<id>_load_ms, tracker_<id>_long_tasks for the others
// (`floor` is the least any tracker can do: read its tag and send one request, see FLOOR);
// <snippet|tracker_<id>>_startup_{min,max}_ms give each one's range over its loads.
//
// The loader defers its start-up until the page has loaded and the browser is idle, so the
// second figure is the script's evaluation and the first is the whole cost, wherever it falls.
//
//   node scripts/bench-snippet.mjs              # after `make build`
//   node scripts/bench-snippet.mjs other/www/dist   # another build's files, to compare
//
// The other trackers are the yardstick: what one script tag that sends a page view costs on
// this machine, traced the same way. Each is the build scripts/support/tracker-files.mjs makes
// for the size comparison (bench-trackers.mjs), pointed at the stand-in edge: Plausible's npm
// tracker with `endpoint` and `captureOnLocalhost` (it ignores localhost pages otherwise), and
// Umami's tracker with the demo page's tag naming the site as `data-website-id`. The loads
// alternate between the trackers, so that each sees the same machine.
//
// What is measured: everything the renderer's main thread does for the tracker while the page
// loads, read from a Chromium performance trace (the same events as DevTools' Performance panel):
//
// - compiling and running the script (`EvaluateScript`, `v8.compile`, `v8.produceCache` of /t.js),
//   and compiling tacit's wasm-bindgen glue, a module (`v8.compileModule` of /t/<hash>.js; it
//   runs in promise callbacks, below),
// - the WebAssembly's compilation and instantiation where they touch the main thread
//   (`v8.wasm.*`, `wasm.*`: streaming compilation is fed from the main thread, and each function
//   is compiled lazily there on its first call),
// - promise callbacks (`RunMicrotasks`: the module's instantiation hands over to the start-up
//   in one) and every function of the script that the browser calls (`FunctionCall`:
//   listeners, timers, observers), with the style and layout work they force.
//
// The demo page runs no script of its own, and nothing of the harness runs in the page while
// the trace records (the harness waits for the page view beacon at the stand-in edge, not with
// page.evaluate), so all such time is the tracker's. Nested events are counted once. A load ends
// 500 ms after the page view beacon arrives, time enough for the start-up, the buffered Web
// Vitals entries and anything a tracker defers. Tracing itself slows the browser down a little,
// so the figures are upper bounds. The breakdown by event (median per load) goes to stderr.
//
// The times are the main thread's CPU time in those events (the trace's thread time), not
// their wall-clock time: on a machine shared with other work the main thread also waits for a
// core, which says nothing about the tracker and can triple the wall-clock figure. On an idle
// machine the two agree; the wall-clock median is printed to stderr beside it.
//
// The edge is replaced by a static server that serves each tracker as /t.js (tacit's
// WebAssembly and its glue beside it) and answers every beacon, so that only the browser's work
// is timed; the page is loaded from another origin than the edge, as on a client's site.
import http from 'node:http';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDemo } from '../www/serve-demo.mjs';
import { humanBrowser, humanContext, UA_WINDOWS } from '../tests/support/browser.mjs';
import { REPO_ROOT } from '../tests/support/edge.mjs';
import { figure } from './support/bench.mjs';
import { bundle, umamiTracker } from './support/tracker-files.mjs';

const RUNS = 15;
const SETTLE_MS = 500;
const LONG_TASK_MS = 50;
const DIST = path.resolve(process.argv[2] || path.join(REPO_ROOT, 'www', 'dist'));
const DEMO = path.join(REPO_ROOT, 'www', 'demo');
const CATEGORIES = ['toplevel', 'devtools.timeline', 'v8', 'v8.execute', 'v8.wasm'];
const JS = 'text/javascript';

/** The stand-in edge's files of the tracker being loaded, by URL path. */
let files = {};
let beaconArrived = () => {};
const edge = http.createServer((req, res) => {
  const headers = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
  const file = files[req.url];
  if (req.method === 'OPTIONS') {
    // Umami posts JSON, which the browser checks with the edge first.
    res.writeHead(204, {
      ...headers,
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || '',
    }).end();
  } else if (req.method === 'POST') {
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

// Umami finds its site in the tag's `data-website-id`: a copy of the demo site says so.
const umamiDemo = mkdtempSync(path.join(os.tmpdir(), 'tacit-umami-demo-'));
cpSync(DEMO, umamiDemo, { recursive: true });
const umamiHome = path.join(umamiDemo, 'index.html');
writeFileSync(umamiHome, readFileSync(umamiHome, 'utf8').replace('data-site=', 'data-website-id='));

// The floor under every tracker's figure: a script that reads its tag and sends one beacon.
// Being the page's first script to touch the document and to start a request already costs
// most of what it measures; tacit's loader starts one request while the page loads too (its
// WebAssembly's download).
const FLOOR = `(() => {
  const script = document.currentScript;
  const body = '{"site":"' + script.getAttribute('data-site') + '","type":"view","path":"' + location.pathname + '"}';
  fetch(new URL(script.src).origin + '/e', { method: 'POST', body, keepalive: true, mode: 'no-cors', credentials: 'omit' });
})();
`;

const TRACKERS = [
  {
    id: 'tacit',
    files: {
      '/t.js': [readFileSync(path.join(DIST, 't.js')), JS],
      ...Object.fromEntries(readdirSync(path.join(DIST, 't')).map((name) =>
        [`/t/${name}`, [readFileSync(path.join(DIST, 't', name)), name.endsWith('.js') ? JS : 'application/wasm']])),
    },
    demo: await serveDemo({ edge: edgeUrl, site: 'demo' }),
  },
  {
    id: 'plausible',
    files: {
      '/t.js': [Buffer.from(await bundle("import { init } from '@plausible-analytics/tracker';\n"
        + `init({ domain: 'example.com', endpoint: '${edgeUrl}/api/event', captureOnLocalhost: true });\n`)), JS],
    },
    demo: await serveDemo({ edge: edgeUrl, site: 'demo' }),
  },
  {
    id: 'floor',
    files: { '/t.js': [Buffer.from(FLOOR), JS] },
    demo: await serveDemo({ edge: edgeUrl, site: 'demo' }),
  },
  {
    id: 'umami',
    files: { '/t.js': [await umamiTracker(), JS] },
    demo: await serveDemo({ root: umamiDemo, edge: edgeUrl, site: 'demo' }),
  },
];
const browser = await humanBrowser();

/** Whether a trace event is main-thread work done for the tracker (see the top of this file). */
function isTracker(event) {
  const url = event.args?.data?.url || event.args?.fileName || event.args?.data?.fileName || '';
  switch (event.name) {
    case 'EvaluateScript':
    case 'FunctionCall':
    case 'v8.compile':
    case 'v8.compileModule':
    case 'v8.produceCache':
      return url.endsWith('/t.js') || /\/t\/[0-9a-f]+\.js$/.test(url);
    case 'RunMicrotasks':
      return true;
    default:
      return event.name.startsWith('v8.wasm.') || event.name.startsWith('wasm.');
  }
}

/** The tracker's main-thread milliseconds in a trace, by event name and before the page's load
 * event, and its long tasks. */
function trackerTime(trace) {
  const { traceEvents } = JSON.parse(trace);
  const evaluation = traceEvents.find((e) => e.name === 'EvaluateScript' && isTracker(e));
  if (!evaluation) throw new Error('t.js did not run');
  const loaded = traceEvents.find((e) => e.name === 'MarkLoad'
    && e.args?.data?.frame === evaluation.args.data.frame);
  if (!loaded) throw new Error('the page did not load');
  const onMain = (e) => e.pid === evaluation.pid && e.tid === evaluation.tid && e.ph === 'X';
  const events = traceEvents.filter(onMain).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const byName = {};
  const beforeLoadByName = {};
  let beforeLoad = 0;
  let wall = 0;
  let countedUntil = 0;
  for (const event of events) {
    if (event.ts < countedUntil || !isTracker(event)) continue;
    const cpu = (event.tdur ?? event.dur) / 1000;
    byName[event.name] = (byName[event.name] || 0) + cpu;
    if (event.ts < loaded.ts) {
      beforeLoad += cpu;
      beforeLoadByName[event.name] = (beforeLoadByName[event.name] || 0) + cpu;
    }
    wall += event.dur / 1000;
    countedUntil = event.ts + event.dur;
  }
  const tasks = events.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  const longTasks = tasks.filter((task) => task.dur / 1000 > LONG_TASK_MS && events.some((e) =>
    isTracker(e) && e.ts >= task.ts && e.ts < task.ts + task.dur)).length;
  return { byName, beforeLoadByName, beforeLoad, wall, longTasks };
}

/** One traced load of the demo home page with `tracker`'s script tag. */
async function load(tracker) {
  files = tracker.files;
  const context = await humanContext(browser, UA_WINDOWS);
  try {
    const page = await context.newPage();
    const beacon = new Promise((resolve) => { beaconArrived = resolve; });
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.goto(`${tracker.demo.url.replace('127.0.0.1', 'localhost')}/`);
    await beacon;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return trackerTime((await browser.stopTracing()).toString());
  } finally {
    await context.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = Object.fromEntries(TRACKERS.map((tracker) => [tracker.id, []]));
try {
  for (let run = 0; run < RUNS; run++) {
    for (const tracker of TRACKERS) results[tracker.id].push(await load(tracker));
  }
} finally {
  await browser.close();
  for (const tracker of TRACKERS) await tracker.demo.close();
  edge.close();
  rmSync(umamiDemo, { recursive: true, force: true });
}

for (const { id } of TRACKERS) {
  const loads = results[id];
  const samples = loads.map((l) => Object.values(l.byName).reduce((sum, ms) => sum + ms, 0));
  const breakdown = (part) => [...new Set(loads.flatMap((l) => Object.keys(l[part])))]
    .map((name) => [name, median(loads.map((l) => l[part][name] || 0))])
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ');
  const duringLoad = loads.map((l) => l.beforeLoad);
  const sorted = [...samples].sort((a, b) => a - b);
  console.error(`${id} start-up over ${RUNS} loads: min ${sorted[0].toFixed(2)} ms, `
    + `median ${median(samples).toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms `
    + `(median per event: ${breakdown('byName')}; wall clock: median ${median(loads.map((l) => l.wall)).toFixed(2)} ms); `
    + `before the load event: median ${median(duringLoad).toFixed(2)} ms, `
    + `max ${Math.max(...duringLoad).toFixed(2)} ms (median per event: ${breakdown('beforeLoadByName')})`);
  const prefix = id === 'tacit' ? 'snippet' : `tracker_${id}`;
  figure(`${prefix}_startup_ms`, median(samples).toFixed(2));
  figure(`${prefix}_startup_min_ms`, sorted[0].toFixed(2));
  figure(`${prefix}_startup_max_ms`, sorted.at(-1).toFixed(2));
  figure(`${prefix}_load_ms`, median(duringLoad).toFixed(2));
  figure(`${prefix}_long_tasks`, loads.reduce((sum, l) => sum + l.longTasks, 0));
}
