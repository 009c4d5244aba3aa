#!/usr/bin/env node
// `make bench`: every benchmark in one run, printed as `name=value` lines as they come, then
// written to BENCHMARKS.md (with docs/bench/edge-scaling.svg). BENCHMARKS.md is generated, never
// edited by hand: every figure in it is measured in this run, or (the signal table) cited from
// the trackers' sources in scripts/support/trackers.mjs.
//
//   make bench        # builds what is missing, then runs this (several minutes)
//
// The parts, each its own command so that it can be run alone:
//   node www/build.mjs                          snippet_gz_bytes, snippet_loader_gz_bytes, brotli too
//                                               (the snippet's files are rebuilt)
//   node scripts/bench-snippet.mjs              snippet_startup_ms (Chromium), Plausible's, Umami's, a floor's
//   cargo bench -p tacit-aggregate --features test-support --bench aggregate   core aggregate speed, sizes, accuracy
//   cargo bench -p tacit-aggregate --features test-support --bench versus      tacit's sketch next to Apache DataSketches' HLL
//   cargo run --release -p tacit-report --features synthetic --example insight_bench   insight_recall,
//                                               insight_false_cards_per_null_site on synthetic ranges
//   node scripts/bench-trackers.mjs             tacit's snippet next to other trackers
//   node scripts/bench-bundle.mjs               edge_bundle_gz_bytes beside the Workers plans' limits
//   node scripts/bench-edge.mjs                 ingest and summary latency against wrangler dev
//   node scripts/loss-on-kill.mjs 5 8 3         acknowledged beacons lost on SIGKILL and on a stop
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../tests/support/edge.mjs';
import { parseFigures, runEchoed } from './support/bench.mjs';
import { panel, svgDocument } from './support/svg-chart.mjs';
import { SIGNAL_SOURCES, SIGNALS, TRACKERS } from './support/trackers.mjs';

const SVG_PATH = 'docs/bench/edge-scaling.svg';
/** The loss-on-kill part: seconds of load before each kill, and kills. */
const LOSS_SECONDS = 5;
const LOSS_KILLS = 3;
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(', ');
const started = new Date();
const loads = [['start', loadAverage()]];
const figures = {};

/** Runs one part, records its figures and the load average after it. */
async function part(name, command, args) {
  console.error(`--- ${name}: ${command} ${args.join(' ')}`);
  const out = await runEchoed(command, args, { cwd: REPO_ROOT });
  Object.assign(figures, parseFigures(out));
  loads.push([`after ${name}`, loadAverage()]);
}

await part('snippet size', 'node', ['www/build.mjs']);
await part('snippet start-up', 'node', ['scripts/bench-snippet.mjs']);
await part('core bench', 'cargo', ['bench', '--quiet', '-p', 'tacit-aggregate', '--features', 'test-support', '--bench', 'aggregate']);
await part('sketch comparison', 'cargo', ['bench', '--quiet', '-p', 'tacit-aggregate', '--features', 'test-support', '--bench', 'versus']);
await part('insights', 'cargo', ['run', '--quiet', '--release', '-p', 'tacit-report', '--features', 'synthetic', '--example', 'insight_bench']);
await part('trackers', 'node', ['scripts/bench-trackers.mjs']);
await part('edge bundle', 'node', ['scripts/bench-bundle.mjs']);
await part('edge', 'node', ['scripts/bench-edge.mjs']);
await part('loss on kill', 'node', ['scripts/loss-on-kill.mjs', String(LOSS_SECONDS), '8', String(LOSS_KILLS)]);
const minutes = (Date.now() - started) / 60_000;
// Kept for debugging the report below; BENCHMARKS.md is only ever written from this run.
writeFileSync(path.join(REPO_ROOT, 'target', 'bench-figures.txt'),
  Object.entries(figures).map(([name, value]) => `${name}=${value}\n`).join(''));

// ---------------------------------------------------------------------------------------------
// The report. `f(name)` fails loudly on a missing figure rather than printing a blank.

const f = (name) => {
  if (!(name in figures)) throw new Error(`no figure ${name} in this run`);
  return figures[name];
};
const n = (name) => Number(f(name));
const int = (value) => Math.round(Number(value)).toLocaleString('en-US');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
  ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const sh = (command, args) => execFileSync(command, args, { encoding: 'utf8' }).trim();

const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? 'unknown';
const machine = table(['what', 'value'], [
  ['date (UTC)', `${started.toISOString().slice(0, 16).replace('T', ' ')}, ${minutes.toFixed(1)} minutes`],
  ['commit', `${sh('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'])}${sh('git', ['-C', REPO_ROOT, 'status', '--porcelain']) ? ' (with uncommitted changes)' : ''}`],
  ['`nproc`', sh('nproc', [])],
  ['CPU (/proc/cpuinfo)', cpuModel],
  ['memory', `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`],
  ['node', process.version],
  ['rustc', sh('rustc', ['--version'])],
  ...loads.map(([when, load]) => [`load average ${when}`, load]),
]);

// Snippet -------------------------------------------------------------------------------------
const trackerRows = TRACKERS.map((t) => {
  const p = `tracker_${t.id}`;
  const ratio = (n(`${p}_gzip_bytes`) / n('tracker_tacit_gzip_bytes')).toFixed(2);
  return [t.name, t.package ? `\`${t.package}\` ${f(`${p}_version`)}` : `commit ${f(`${p}_version`)}`, f(`${p}_files`),
    int(f(`${p}_raw_bytes`)), int(f(`${p}_gzip_bytes`)), int(f(`${p}_brotli_bytes`)), `${ratio}×`,
    f(`${p}_signals_on`), f(`${p}_signals_with_options`)];
});
const STARTUP = [['tacit', 'snippet'], ['Plausible', 'tracker_plausible'], ['Umami', 'tracker_umami'],
  ['floor: one request', 'tracker_floor']];
const startupRows = STARTUP.map(([name, p]) => [name, f(`${p}_startup_ms`),
  `${f(`${p}_startup_min_ms`)}–${f(`${p}_startup_max_ms`)}`, f(`${p}_load_ms`), f(`${p}_long_tasks`),
  `${(n(`${p}_startup_ms`) / n('snippet_startup_ms')).toFixed(2)}×`]);
const mark = { on: '✓', opt: 'opt', no: '–', '?': '?' };
const signalTable = table(['signal', ...TRACKERS.map((t) => t.name)],
  [...SIGNALS.map(([name, row]) => [name, ...TRACKERS.map((t) => mark[row[t.id]])]),
    ['**count: ✓ (✓ + opt)**', ...TRACKERS.map((t) => `**${f(`tracker_${t.id}_signals_on`)}** (${f(`tracker_${t.id}_signals_with_options`)})`)]]);

// Sketch --------------------------------------------------------------------------------------
const sketches = [
  ['tacit `VisitorSketch::for_page()`', 'tacit_page_p14', '2^14 × 8 bit, stored 6 bit (HLL++, p = 14)'],
  ['DataSketches `Hll6`, lg_k = 14', 'datasketches_hll6_lg14', '2^14 × 6 bit'],
  ['DataSketches `Hll4`, lg_k = 14', 'datasketches_hll4_lg14', '2^14 × 4 bit + exceptions'],
  ['tacit `VisitorSketch::for_site()`', 'tacit_site_p16', '2^16 × 8 bit, stored 6 bit (HLL++, p = 16)'],
  ['DataSketches `Hll6`, lg_k = 16', 'datasketches_hll6_lg16', '2^16 × 6 bit'],
  ['DataSketches `Hll4`, lg_k = 16', 'datasketches_hll4_lg16', '2^16 × 4 bit + exceptions'],
];
const sizes = ['10k', '100k', '1m'];
const sketchRows = sketches.map(([name, id, registers]) => [name, registers, int(f(`sketch_${id}_bytes`)),
  figures[`sketch_${id}_mem_bytes`] ? int(figures[`sketch_${id}_mem_bytes`]) : 'not reported',
  ...sizes.map((s) => `${f(`sketch_${id}_${s}_mean_rel_err_pct`)} / ${f(`sketch_${id}_${s}_p95_rel_err_pct`)}`),
  ...sizes.map((s) => f(`sketch_${id}_${s}_insert_ns`))]);
const datasketchesVersion = readFileSync(path.join(REPO_ROOT, 'Cargo.lock'), 'utf8')
  .match(/name = "datasketches"\nversion = "([^"]+)"/)[1];
const coreNames = Object.keys(figures).filter((name) => /^(core_|record_|site_record_|visitors_|engaged_|top_k_)/.test(name));

// Scale on paper --------------------------------------------------------------------------------
/** Cloudflare's limits that a large site meets first (developers.cloudflare.com, Durable Objects and Workers limits). */
const DO_STORAGE_BYTES = 10 * 2 ** 30; // SQLite storage per Durable Object (Workers Paid)
const DO_SOFT_RPS = 1_000; // requests per second one Durable Object handles, its documented soft limit
const PAID_CPU_MS = 30_000; // default CPU per request, Workers Paid
/**
 * The projection of a site of 1 billion page views a day over 64 shards, from this run's figures:
 * ingest per shard against one shard's measured rate, stored bytes against a Durable Object's
 * storage, and what a year's read decodes.
 */
function scaleProjection() {
  const views = 1e9;
  const shards = 64;
  const beaconsPerView = 2; // a view and its leave (updates and events add more)
  const perShardRps = (views * beaconsPerView) / 86_400 / shards;
  const shardRps = n('edge_c100_ingest_rps');
  const pagesPerDay = 1_000; // max_pages_per_day's default: the rest folds into "(other)"
  // At 15.6 million views per shard and day, every page record is at its bounded maximum.
  const dayBytes = pagesPerDay * n('record_bytes_max') + n('site_record_bytes_max');
  const weeks = 52;
  const months = 12;
  const rollupBytesYear = (weeks + months) * dayBytes;
  const dayBytesYear = 365 * dayBytes;
  const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const retainedBytes = (days) => days * dayBytes + (days / 7 + days / 30.4) * dayBytes;
  const daysThatFit = DO_STORAGE_BYTES / (dayBytes * (1 + 1 / 7 + 1 / 30.4));
  const yearPieces = 17; // at most 12 months, 4 weeks and a run of days on each side, and the open day
  const yearRecordsPerShard = yearPieces * (pagesPerDay + 1);
  const measuredPerRecordMs = n('summary_year_cold_ms') / ((yearPieces) * (n('summary_year_pages') + 1));
  return `${table(['quantity', 'per shard', 'against'], [
    ['beacons per second (a view and its leave per page view)', perShardRps.toFixed(0), `${int(shardRps)}/s measured for one shard (\`edge_c100_ingest_rps\`), ${DO_SOFT_RPS}/s Cloudflare's soft limit per object`],
    ['bytes of one day\'s records (1,000 pages at \`record_bytes_max\` and the site\'s)', gib(dayBytes), ''],
    ['day records per year', gib(dayBytesYear), `${gib(DO_STORAGE_BYTES)} per Durable Object`],
    ['rollups per year (52 weeks, 12 months)', gib(rollupBytesYear), `${(100 * rollupBytesYear / dayBytesYear).toFixed(0)} % of the day records`],
    ['everything kept for the default 762 days', gib(retainedBytes(762)), `${gib(DO_STORAGE_BYTES)}: ${daysThatFit.toFixed(0)} days fit`],
    [`records a year's read decodes (≤ ${yearPieces} pieces × 1,001)`, int(yearRecordsPerShard), `${int(yearRecordsPerShard * shards)} over 64 shards; each shard merges its own and sends the worker one per page, without the segments the report does not read: ${int((pagesPerDay + 1) * shards)} for the worker to decode and merge`],
  ])}

Storage per Durable Object binds first: at ${int(perShardRps)} beacons a second a shard is well within
its measured rate and Cloudflare's per-object request limit, but a day of 1,000 pages whose records are
full weighs ${gib(dayBytes)} in every shard, so ${gib(DO_STORAGE_BYTES)} holds about ${daysThatFit.toFixed(0)} days of records and
their rollups, not the default 762. More shards do not help, since shards split visitors, not pages
(each holds every page's record of every day): such a site needs a retention of about ${daysThatFit.toFixed(0)} days, or
fewer pages a day. CPU per request binds next, on reads: a year's read decodes up to
${int(yearRecordsPerShard)} records per shard, each up to ${int(n('record_bytes_max'))} bytes; this run's year read took
${measuredPerRecordMs.toFixed(3)} ms per small record it decoded, and Workers Paid's default CPU budget per request is ${PAID_CPU_MS / 1000} s.`;
}

// Edge ----------------------------------------------------------------------------------------
const clients = [1, 10, 100];
const pageCounts = [10, 1000, 10000];
const ingestRows = clients.map((c) => {
  const p = `edge_c${c}`;
  return [c, f(`${p}_baseline_rps`), f(`${p}_ingest_rps`), f(`${p}_ingest_ratio`), f(`${p}_baseline_p99_ms`),
    f(`${p}_ingest_p50_ms`), f(`${p}_ingest_p99_ms`), f(`${p}_baseline_cpu_ms`), f(`${p}_ingest_cpu_ms`),
    f(`${p}_ingest_counted`)];
});
const summaryRows = pageCounts.map((pages) => {
  const p = `edge_summary_${pages}`;
  return [int(pages), int(f(`${p}_pages_stored`)), f(`${p}_api_p50_ms`), f(`${p}_api_p95_ms`), int(f(`${p}_api_bytes`)),
    f(`${p}_html_p50_ms`), f(`${p}_html_p95_ms`), int(f(`${p}_html_bytes`))];
});
const growth = (a, b) => `×${(b / a).toFixed(1)}`;
const series = (name, xs, figure) => ({ name, points: xs.map((x) => [x, n(figure(x))]) });
const svg = svgDocument({
  title: `tacit edge under wrangler dev, ${started.toISOString().slice(0, 10)} (loopback, shared ${sh('nproc', [])}-core machine)`,
  panels: [
    (box) => panel({ ...box, title: 'Throughput', xLabel: 'concurrent clients', yLabel: 'requests/s', series: [
      series('POST /yardstick (does nothing)', clients, (c) => `edge_c${c}_baseline_rps`),
      series('POST /e (page view)', clients, (c) => `edge_c${c}_ingest_rps`)] }),
    (box) => panel({ ...box, title: 'Latency', xLabel: 'concurrent clients', yLabel: 'ms', series: [
      series('POST /e p99', clients, (c) => `edge_c${c}_ingest_p99_ms`),
      series('POST /e p50', clients, (c) => `edge_c${c}_ingest_p50_ms`),
      series('POST /yardstick p99', clients, (c) => `edge_c${c}_baseline_p99_ms`)] }),
    (box) => panel({ ...box, title: 'Edge CPU per request (wrangler + workerd)', xLabel: 'concurrent clients',
      yLabel: 'CPU ms', series: [
        series('POST /e', clients, (c) => `edge_c${c}_ingest_cpu_ms`),
        series('POST /yardstick', clients, (c) => `edge_c${c}_baseline_cpu_ms`)] }),
    (box) => panel({ ...box, title: 'Summary latency (p50)', xLabel: 'distinct pages in the range', yLabel: 'ms',
      series: [
        series('GET /api/v1/sites/<site>/summary', pageCounts, (p) => `edge_summary_${p}_api_p50_ms`),
        series('GET /s/<site> (HTML)', pageCounts, (p) => `edge_summary_${p}_html_p50_ms`)] }),
  ],
});
mkdirSync(path.join(REPO_ROOT, path.dirname(SVG_PATH)), { recursive: true });
writeFileSync(path.join(REPO_ROOT, SVG_PATH), svg);

const report = `# Benchmarks

Generated by \`make bench\` (\`node scripts/bench-report.mjs\`) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.
Do not edit: run \`make bench\` again. Every figure below was measured in that run, except the signal
table, which is read from each tracker's source or documentation (cited under it, kept in
\`scripts/support/trackers.mjs\`).

## Machine

${machine}

This machine is shared with other engineers' builds and tests: a load average above its
${sh('nproc', [])} cores means the benchmarks competed for the CPU, and absolute times and rates are
noisy, typically slower, in proportion. Ratios measured within one step (ingest against
the yardstick, tacit against DataSketches) are fairer than the absolute numbers.

## Snippet: what a site ships, next to the trackers it would pick instead

\`node scripts/bench-trackers.mjs\`. Raw, gzip -9 and brotli (quality 11) sizes from node's zlib;
a tracker shipped as several files is compressed file by file and summed. tacit's gzip size is
the \`snippet_gz_bytes\` figure (${int(f('snippet_gz_bytes'))} B from \`www/build.mjs\`; brotli
${int(f('snippet_br_bytes'))} B): the loader \`t.js\`, the one file the script tag loads, is
${int(f('snippet_loader_gz_bytes'))} B of it (\`snippet_loader_gz_bytes\`; brotli
${int(f('snippet_loader_br_bytes'))} B), and the WebAssembly and its wasm-bindgen glue load
beside it without holding up the page.

${table(['tracker', 'version', 'files', 'raw B', 'gzip B', 'brotli B', 'gzip vs tacit', 'signals ✓', 'with options'], trackerRows)}

What is measured for each:

${TRACKERS.map((t) => `- **${t.name}**: ${t.what}.`).join('\n')}

Main-thread time at start-up in Chromium (\`scripts/bench-snippet.mjs\`): the CPU time of every
traced event of the tracker's script on the renderer's main thread, median of 15 loads of the
demo home page each, the trackers' loads alternating, with a stand-in edge that answers every
beacon. "Before load" is the part before the page's load event (tacit defers the rest of its
start-up until the page has loaded and the browser is idle).

${table(['tracker', 'start-up ms', 'fastest–slowest load', 'before load ms', 'long tasks', 'start-up vs tacit'], startupRows)}

Plausible is its npm tracker pointed at the stand-in edge (\`endpoint\`, and
\`captureOnLocalhost\`, without which it ignores a page on localhost); Umami is its tracker
source as above, the demo page's tag naming the site in \`data-website-id\`. Vercel's tracker
proper is not on npm, and PostHog's loads more from its own servers, so neither is timed.
A wide range means the loads fell into two groups. Plausible's start-up reads the page's
height, which makes the browser do at once the style and layout work it has pending; in about
half the loads that is some 6 ms (the trace's \`UpdateLayoutTree\` and \`Layout\` inside its
evaluation), so its median has moved between 4 and 10 ms from one run to the next.
"Floor" is a script that only reads its tag and sends one beacon with \`fetch\`: the least any
tracker can cost here, since the first script of a page to touch the document and to start a
request pays for both. tacit's loader starts one request while the page loads (its
WebAssembly's download), so its "before load" figure is this floor plus its own evaluation.

### Signals each captures

✓ captured by the standard install (an API the page calls counts), opt = needs a setting or
attribute, – = not captured, ? = cannot be told from what is on npm. Derived figures (visits,
bounces, country from the IP, device from the user agent) are left out.

${signalTable}

Sources: ${TRACKERS.map((t) => `**${t.name}**: ${SIGNAL_SOURCES[t.id]}.`).join(' ')}

## Sketch: unique visitors, tacit next to Apache DataSketches' HLL

\`cargo bench -p tacit-aggregate --features test-support --bench versus\` (\`datasketches\` ${datasketchesVersion}, a dev-dependency of the bench only).
The same seeded streams of 64-bit visitor hashes for every sketch (${f('sketch_10k_trials')},
${f('sketch_100k_trials')} and ${f('sketch_1m_trials')} trials at 10k, 100k and 1M distinct visitors). Equal registers: tacit's dense sketch holds 2^p registers, a byte each in memory and 6 bits
each stored, as DataSketches' \`Hll6\` holds 2^p registers of 6 bits; \`Hll4\` (DataSketches' compact type) is shown at the same lg_k.
Relative error |estimate − n| / n, mean / 95th percentile over the trials, in %. Insert time is
the median over the trials of (time to insert the stream and read the estimate) / n.
tacit uses the edge's keyed hash as it is; DataSketches' API hashes every value again
(MurmurHash3), which is part of its insert time.

${table(['sketch', 'registers', 'serialized B (1M)', 'in memory B', 'error % 10k', 'error % 100k', 'error % 1M',
    'insert ns 10k', 'insert ns 100k', 'insert ns 1M'], sketchRows)}

tacit's serialized size is the sketch in the record codec's postcard encoding;
tacit's sketch does not report its size in memory (2^p bytes once dense).

### Core aggregate

\`cargo bench -p tacit-aggregate --features test-support --bench aggregate\`: speed of applying signals and merging records, record
sizes, sketch accuracy (95th percentile relative error).

${table(['figure', 'value'], coreNames.map((name) => [`\`${name}\``, f(name)]))}

## Insights: planted effects found, false cards on background-only sites

\`cargo run --release -p tacit-report --features synthetic --example insight_bench\`: for each seed
(${f('insight_seeds')}), one synthetic background-only range (eight pages, five channels, three device
classes, every page, channel and device drawn from the same distributions, a previous period drawn alike) and one range per planted
effect (${f('insight_planted_effects')} effects, one per rule and direction; see
\`crates/report/src/insights/synthetic.rs\`). Cards are kept by Benjamini–Hochberg at q = 0.05 over
every test of the range (docs/decisions/2026-12-insight-fdr.md). Recall = planted effects whose card
the engine made / planted effects run; first = of those found, the share ranked first.

${table(['figure', 'value'], [
    ['\`insight_recall\`', `**${f('insight_recall')}**`],
    ['\`insight_found_first\`', f('insight_found_first')],
    ['\`insight_false_cards_per_null_site\`', `**${f('insight_false_cards_per_null_site')}**`],
    ['\`insight_null_sites_with_cards\`', f('insight_null_sites_with_cards')],
  ])}

## Edge: ingest and summaries under \`wrangler dev\`

\`node scripts/bench-edge.mjs\`: a local \`wrangler dev\` (workerd, SQLite-backed Durable Objects)
on a temporary directory, loopback only, started without wrangler's devtools inspector (which
relays every subrequest to Node, costing more CPU than the subrequest; production has none).
Load comes from \`wrk\` (Debian's) with \`scripts/support/beacons.lua\`: every page view from a new visitor.
The yardstick is \`POST /yardstick\`, the same requests to a route that answers 202 and does
nothing else. Edge CPU is the user + system time of the edge's processes (wrangler, workerd;
\`/proc\`) per request, the figure least moved by other work on the machine. Not Cloudflare's
network: a local stand-in for it.

### Ingest: ${f('edge_ingest_sites')} sites, ${f('edge_ingest_connections')} connections, ${f('edge_ingest_seconds')} s

Page views to ${f('edge_ingest_sites')} sites (each its own Durable Object) for ${f('edge_ingest_seconds')} s, between two yardstick runs
of half as long; the baseline is their mean. Ratio = ingest rate / baseline rate (the targets of
≥ 0.8 and p99 ≤ 50 ms are withdrawn: docs/decisions/2026-12-ingest-targets-withdrawn.md); CPU
ratio = baseline CPU / ingest CPU per request. Counted = views the sites count / beacons wrk saw
acknowledged: it can be higher, since wrk stops with requests in flight that the edge still
counts.

${table(['baseline req/s', 'ingest beacons/s', 'ratio', 'baseline p99', 'ingest p50', 'ingest p99',
    'baseline CPU ms', 'ingest CPU ms', 'CPU ratio', 'counted'],
  [[f('edge_baseline_rps'), f('edge_ingest_rps'), `**${f('edge_ingest_ratio')}**`, f('edge_baseline_p99_ms'),
    f('edge_ingest_p50_ms'), `**${f('edge_ingest_p99_ms')}**`, f('edge_baseline_cpu_ms'), f('edge_ingest_cpu_ms'),
    f('edge_ingest_cpu_ratio'), f('edge_ingest_counted')]])}

Saturated, as above, latency includes the queue of requests waiting for the CPU, the
yardstick's too. The same load paced (each connection waits ${f('edge_paced_ms')} ms after each answer, half
the baseline rate offered in all), for latency at a load the edge keeps up with; the paced
yardstick's p99 is what this shared machine adds to any request:

${table(['', 'req/s', 'p50 ms', 'p99 ms'], [
    ['ingest (\`POST /e\`)', f('edge_paced_ingest_rps'), f('edge_paced_ingest_p50_ms'), `**${f('edge_paced_ingest_p99_ms')}**`],
    ['yardstick', f('edge_paced_baseline_rps'), '', f('edge_paced_baseline_p99_ms')],
  ])}

### Ingest at 1, 10 and 100 concurrent connections

Per level, one fresh site, ${f('edge_level_seconds')} s of each kind in alternating runs (so that other work on the
machine weighs on both alike). Latencies in ms (the worst run's quantile).

${table(['connections', 'yardstick req/s', 'ingest beacons/s', 'ratio', 'yardstick p99', 'ingest p50', 'ingest p99',
    'yardstick CPU ms', 'ingest CPU ms', 'counted'], ingestRows)}

### Acknowledged beacons lost when the edge stops

\`node scripts/loss-on-kill.mjs ${LOSS_SECONDS} 8 ${LOSS_KILLS}\`: page views from 8 clients in flight for ${LOSS_SECONDS} s, then wrangler and
workerd killed with SIGKILL mid-load, the edge started again on the same storage and the views it
counts compared with the beacons it had acknowledged (202), ${LOSS_KILLS} times; then once more with an orderly
stop (SIGTERM) after the load. Every beacon is journalled before its 202 (docs/architecture.md, "Flush policy").

${table(['acknowledged (kills)', '\`edge_loss_on_kill\`', '\`edge_loss_on_stop\`'],
  [[int(f('edge_acknowledged')), `**${f('edge_loss_on_kill')}**`, `**${f('edge_loss_on_stop')}**`]])}

### A 30-day summary of a site with 1,000 pages

${f('summary_days')} days, each seeded with the edge's clock set to that day: a page view and a leave (engaged
time, scroll, vitals) for each of 1,000 pages, a third of them from a phone (${f('summary_pages_stored')} pages stored over the range). Then one
client reads the 30-day summary for 10 s per route, and the yardstick likewise.

${table(['route', 'p50 ms', 'p95 ms', 'vs yardstick p95'], [
    ['\`GET /s/<site>\` (HTML, \`summary_p95_ms\`)', f('summary_p50_ms'), `**${f('summary_p95_ms')}**`, `**${f('summary_vs_baseline')}×**`],
    ['\`GET /api/v1/sites/<site>/summary\` (JSON)', f('summary_api_p50_ms'), f('summary_api_p95_ms'), `${f('summary_api_vs_baseline')}×`],
    ['\`GET /s/<site>?segment=device:mobile\` (HTML, \`summary_segment_p95_ms\`)', f('summary_segment_p50_ms'), f('summary_segment_p95_ms'), `${(Number(f('summary_segment_p95_ms')) / Number(f('summary_baseline_p95_ms'))).toFixed(1)}×`],
    ['\`POST /yardstick\`', '', f('summary_baseline_p95_ms'), '1×']])}

The page read for one segment (a third of the visitors are on phones) took
**${f('summary_segment_vs_whole')}×** the whole page's p95 (\`summary_segment_vs_whole\`; issue 19's bar is 1.5×).

The shard reads a range's closed weeks and months from their stored rollups and keeps the
merged result per range in memory (docs/decisions/2026-12-rollups.md), so these reads merge only today's
records into it. The first read after the edge restarted, nothing kept in memory, took
**${int(f('summary_cold_ms'))} ms** (\`summary_cold_ms\`): what a Durable Object that was evicted, or a new
deploy, pays once per range. The edge's CPU per warm read of the page was **${f('summary_cpu_ms')} ms**
(\`summary_cpu_ms\`; the JSON ${f('summary_api_cpu_ms')} ms, the yardstick ${f('summary_baseline_cpu_ms')} ms),
against the 10 ms a request gets on Cloudflare's Workers Free plan.

### Reading at scale: a year, 64 shards

${table(['read', 'figure', 'ms', 'yardstick p95 ms (same run)'], [
    [`${f('summary_year_days')} days × ${f('summary_year_pages')} pages, first read after the records were stored (writes every rollup)`, '\`summary_year_rollups_ms\`', int(f('summary_year_rollups_ms')), f('summary_baseline_p95_ms')],
    ['the same year, first read after a restart', '\`summary_year_cold_ms\`', `**${int(f('summary_year_cold_ms'))}**`, f('summary_baseline_p95_ms')],
    ['the same year, warm (kept merged in memory), p95', '\`summary_year_p95_ms\`', f('summary_year_p95_ms'), f('summary_baseline_p95_ms')],
    ['ranges of the same year not kept yet, on the warm instance (from rollups), median', '\`summary_year_uncached_ms\`', f('summary_year_uncached_ms'), f('summary_baseline_p95_ms')],
    [`30 days × 1,000 pages stored in 1 shard, p95`, '\`summary_shards1_p95_ms\`', f('summary_shards1_p95_ms'), f('summary_baseline_p95_ms')],
    [`the same records over 64 shards, p95 (${f('summary_shards64_vs_1')}× one shard)`, '\`summary_shards64_p95_ms\`', `**${f('summary_shards64_p95_ms')}**`, f('summary_baseline_p95_ms')],
    ['one day of 10,000 pages, JSON, p95', '\`summary_pages10k_p95_ms\`', `**${f('summary_pages10k_p95_ms')}**`, f('summary_baseline_p95_ms')]])}

The year's and the sharded site's records are stored straight into their shards
(\`crates/aggregate/examples/bench_records.rs\`: one view and its leave per page and day, as the
30-day site's beacons give), since seeding a year through \`POST /e\` takes a restart per day.

A site of several shards is read by the worker, which merges every shard's records. It holds a
range's closed days merged over the shards, checked on every read against each shard's version
of its closed records (docs/decisions/2026-12-held-closed-ranges.md): a warm read asks each shard
once, for the range and the period it is compared with, and merges today's records alone.
Its CPU per warm read was ${f('summary_shards64_cpu_ms')} ms (\`summary_shards64_cpu_ms\`), the first read after a restart
${int(f('summary_shards64_cold_ms'))} ms (\`summary_shards64_cold_ms\`, against ${int(f('summary_shards1_cold_ms'))} ms for one shard).

Memory, from each site's status after its reads: the WebAssembly memory of the isolate of its
largest shard, which only grows, against the 128 MB an isolate may use. Locally the worker and
the shards may share one isolate, so each figure bounds one shard's from above.

${table(['site read', 'figure', 'MiB'], [
    ['30 days × 1,000 pages', '\`summary_memory_mb\`', f('summary_memory_mb')],
    [`${f('summary_year_days')} days × ${f('summary_year_pages')} pages`, '\`summary_year_memory_mb\`', f('summary_year_memory_mb')],
    ['30 days × 1,000 pages over 64 shards', '\`summary_shards64_memory_mb\`', f('summary_shards64_memory_mb')],
    ['one day of 10,000 pages', '\`summary_pages10k_memory_mb\`', f('summary_pages10k_memory_mb')]])}

### 1 billion page views a day over 64 shards, on paper

${scaleProjection()}

### Summary latency with 10, 1,000 and 10,000 distinct pages

Each site is seeded today through \`POST /e\` (one page view per page, at least 1,000 views).
\`max_pages_per_day\` (default 1,000) is raised to 10,000 for the 10,000 page site, so all of its
pages are on one day; "stored" counts the pages \`/pages\` returns. Then ${f('edge_summary_samples')} timed reads of each
route one after another, after one untimed read, for today's range. Latencies in ms.

${table(['pages sent', 'stored', 'summary JSON p50', 'p95', 'bytes', '/s/<site> HTML p50', 'p95', 'bytes'], summaryRows)}

### How cost grows with traffic

![Edge throughput, latency, CPU per request and summary latency](${SVG_PATH})

From 1 to 100 concurrent clients, ingest went from ${f('edge_c1_ingest_rps')} to ${f('edge_c100_ingest_rps')} beacons/s (${growth(n('edge_c1_ingest_rps'), n('edge_c100_ingest_rps'))})
and its p99 from ${f('edge_c1_ingest_p99_ms')} to ${f('edge_c100_ingest_p99_ms')} ms (${growth(n('edge_c1_ingest_p99_ms'), n('edge_c100_ingest_p99_ms'))}). In a closed loop the
mean latency is clients / throughput (Little's law): at 100 clients
${int(100_000 / n('edge_c100_ingest_rps'))} ms, so latency beyond the single-client figure is mostly
waiting in line for the CPU. What a beacon costs the edge is the CPU column: ${f('edge_c1_ingest_cpu_ms')} ms
at 1 client, ${f('edge_c100_ingest_cpu_ms')} ms at 100 (against ${f('edge_c1_baseline_cpu_ms')} and
${f('edge_c100_baseline_cpu_ms')} ms for the yardstick).

From 10 to 10,000 distinct pages in the range, the JSON summary's p50 went from
${f('edge_summary_10_api_p50_ms')} to ${f('edge_summary_10000_api_p50_ms')} ms (${growth(n('edge_summary_10_api_p50_ms'), n('edge_summary_10000_api_p50_ms'))}) and the HTML page's from
${f('edge_summary_10_html_p50_ms')} to ${f('edge_summary_10000_html_p50_ms')} ms (${growth(n('edge_summary_10_html_p50_ms'), n('edge_summary_10000_html_p50_ms'))}).

## Not measured here

- Vercel Web Analytics' tracker script (\`/_vercel/insights/script.js\`): served by Vercel, in no
  npm package; only its injector is measured. Umami's served script is approximated by minifying
  its source (the npm package ships no built tracker).
- Vercel's and PostHog's start-up time in a browser, and the other trackers' servers' cost per event.
- Cloudflare's production network: the edge figures are \`wrangler dev\` on one machine, with the
  load generator (\`wrk\`) on the same cores.

## Commands

\`\`\`sh
make bench                                   # all of the above; rewrites this file and ${SVG_PATH}
node www/build.mjs                           # snippet_gz_bytes, snippet_loader_gz_bytes
node scripts/bench-snippet.mjs               # snippet_startup_ms, next to Plausible and Umami
cargo bench -p tacit-aggregate --features test-support --bench aggregate   # core aggregate
cargo bench -p tacit-aggregate --features test-support --bench versus      # sketch next to DataSketches
cargo run --release -p tacit-report --features synthetic --example insight_bench [seeds=100]  # insights
node scripts/bench-trackers.mjs              # snippet next to other trackers
node scripts/bench-edge.mjs [requests=2000]  # edge ingest and summaries
\`\`\`
`;
writeFileSync(path.join(REPO_ROOT, 'BENCHMARKS.md'), report);
console.error(`wrote BENCHMARKS.md and ${SVG_PATH} (${minutes.toFixed(1)} minutes)`);
