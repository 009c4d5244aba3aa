#!/usr/bin/env node
// `wrangler dev` without its devtools inspector, for the benchmarks (startEdge({ devtools: false })).
//
//   node scripts/support/edge-without-devtools.mjs --port <port> --persist-to <dir> [--var NAME:value]...
//
// `wrangler dev` always attaches an inspector to the worker and turns on its Network domain, so
// every subrequest (each beacon's call to its Durable Object) is reported as devtools events
// that wrangler relays to Node and appends to a debug log file. That relay costs the machine
// more CPU than the call itself, and production has none of it; the command line cannot turn
// it off, wrangler's own API (`unstable_startWorker`, `dev.inspector: false`) can. Otherwise
// this is `wrangler dev` as the tests run it: same wrangler.toml, build, workerd and storage.
// SIGTERM stops it in order, as wrangler does.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { unstable_startWorker } from 'wrangler';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'persist-to': { type: 'string' },
    var: { type: 'string', multiple: true, default: [] },
  },
});
if (!values.port || !values['persist-to']) {
  throw new Error('usage: edge-without-devtools.mjs --port <port> --persist-to <dir> [--var NAME:value]...');
}

const bindings = {};
for (const pair of values.var) {
  const colon = pair.indexOf(':');
  if (colon < 1) throw new Error(`--var ${pair}: expected NAME:value`);
  bindings[pair.slice(0, colon)] = { type: 'plain_text', value: pair.slice(colon + 1) };
}

const worker = await unstable_startWorker({
  config: path.join(REPO_ROOT, 'wrangler.toml'),
  bindings,
  dev: {
    server: { hostname: '127.0.0.1', port: Number(values.port) },
    inspector: false,
    persist: values['persist-to'],
    watch: false,
    liveReload: false,
    logLevel: 'warn',
  },
});
await worker.ready;
console.log(`Ready on ${await worker.url}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await worker.dispose();
    process.exit(0);
  });
}
