// The trackers BENCHMARKS.md compares tacit's snippet with: which file(s) a site would ship for
// each (measured by scripts/bench-trackers.mjs) and which signals each captures (read from each
// tracker's source or documentation, cited below, by hand: a table, not a measurement).
//
// The versions are pinned: the npm packages as exact devDependencies in package.json, and
// `umami`, which is not installed (see UMAMI), by version and tarball checksum here.

/**
 * The npm `umami` package is the whole Umami server (Next.js, Prisma, ClickHouse and Kafka
 * clients, some 60 dependencies, with install scripts that download database engines, which
 * cannot be reached from here). It ships the tracker's *source*, src/tracker/index.js, and the
 * rollup + terser config that builds public/script.js from it, but not the built script. So
 * bench-trackers.mjs fetches only the tarball with `npm pack` (checked against this checksum)
 * and minifies the tracker source with esbuild, standing in for Umami's terser build.
 */
export const UMAMI = {
  spec: 'umami@2.10.0',
  integrity: 'sha512-+lmrnV0751R6U2rkIgVAlE1nWI7yZawlMlJDguW9tlFacCKhnGeCyc7tCMIhNNYIiGIQy4DEX5IzJhm4b3+dPA==',
  tracker: 'package/src/tracker/index.js',
};

/**
 * How each tracker's bytes are obtained (bench-trackers.mjs does what `ship` says):
 *   files:  files shipped as they are (paths from the repo root)
 *   bundle: an entry module a site would write, bundled and minified with esbuild
 *   umami:  the tracker source from the umami tarball, minified with esbuild
 * `what` is the sentence BENCHMARKS.md prints about it.
 */
export const TRACKERS = [
  {
    id: 'tacit',
    name: 'tacit',
    ship: { files: ['www/dist/t.js', 'www/dist/t/*.js', 'www/dist/t/*.wasm'] },
    what: '`www/dist/t.js` (the loader, as www/build.mjs bundles it), `www/dist/t/<hash>.js` (the '
      + "WebAssembly's wasm-bindgen glue) and `www/dist/t/<hash>.wasm`, three transfers; compressed one "
      + 'file at a time and summed',
  },
  {
    id: 'plausible',
    name: 'Plausible',
    package: '@plausible-analytics/tracker',
    ship: { bundle: "import { init } from '@plausible-analytics/tracker';\ninit({ domain: 'example.com' });\n" },
    what: '`@plausible-analytics/tracker` (its `plausible.js`, the official npm tracker) bundled by esbuild '
      + "from `import { init } …; init({domain})`. Plausible's script-tag tracker (plausible.io/js/script.js) "
      + 'is not on npm',
  },
  {
    id: 'umami',
    name: 'Umami',
    package: 'umami',
    ship: { umami: true },
    what: '`src/tracker/index.js` from the `umami` tarball, minified by esbuild. The package does not ship the '
      + 'built `public/script.js`; Umami builds it from this file with rollup + terser (its '
      + '`rollup.tracker.config.mjs`), so the size is close to, not exactly, the served script',
  },
  {
    id: 'vercel',
    name: 'Vercel Web Analytics',
    package: '@vercel/analytics',
    ship: { bundle: "import { inject } from '@vercel/analytics';\ninject();\n" },
    what: '`@vercel/analytics` (`dist/index.mjs`) bundled by esbuild from `import { inject } …; inject()`. '
      + 'This is only the injector: it adds a script tag for `/_vercel/insights/script.js`, which Vercel '
      + 'serves and which is in no npm package, so the tracker proper is **not measured** here',
  },
  {
    id: 'posthog',
    name: 'PostHog',
    package: 'posthog-js',
    ship: { files: ['node_modules/posthog-js/dist/array.js'] },
    what: '`posthog-js/dist/array.js`, the file the HTML snippet loads (`/static/array.js`). It loads more '
      + 'on demand (session replay, surveys, dead clicks, web vitals, exceptions), not counted here',
  },
];

/** Where each tracker's column below comes from. */
export const SIGNAL_SOURCES = {
  tacit: '`../shared/DESIGN.md` § "Signals the snippet captures"; README § "What the snippet sends"',
  plausible: '`node_modules/@plausible-analytics/tracker/plausible.js` (the payload: `n u d r p $`, the '
    + '`engagement` event with `sd`, `e`) and its README (options `outboundLinks`, `fileDownloads`, '
    + '`formSubmissions`, all off by default)',
  umami: '`src/tracker/index.js` in the umami@2.10.0 tarball (`getPayload`: hostname, screen, language, '
    + 'title, url, referrer; `track`, `identify`, `data-umami-event`)',
  vercel: '`node_modules/@vercel/analytics/dist/index.mjs` (`inject`, `track`, `pageview` with route and '
    + 'path) and https://vercel.com/docs/drains/reference/analytics (the fields of a stored event); the '
    + "tracker script itself is not in the package, so what it does in the browser is marked '?'",
  posthog: '`node_modules/posthog-js/lib/src/posthog-core.js` (config defaults: `autocapture: true`, '
    + '`rageclick: true`, `capture_pageview: true`, `save_campaign_params: true`, `respect_dnt: false`, '
    + '`capture_performance` and `capture_exceptions` unset, `persistence: "localStorage+cookie"`, bot user '
    + 'agents dropped; `capture_pageview: true` counts page loads, route changes need `"history_change"`, the '
    + 'default only with `defaults` ≥ 2025-05-24), `lib/src/page-view.js` (`$prev_pageview_duration`, '
    + '`$prev_pageview_max_scroll_percentage`), `lib/src/extensions/`',
};

/**
 * Signals a site owner compares, one row each: 'on' = captured by the standard install with no
 * setting (an API the page calls counts: nothing has to be turned on), 'opt' = needs a setting
 * or attribute, 'no' = not captured, '?' = cannot be told from what is published on npm.
 * Derived figures (entries, bounces, countries from the IP, devices from the user agent) are
 * left out: they are computed on the server from these, or from the request, by every tracker.
 */
export const SIGNALS = [
  ['page view (path)', { tacit: 'on', plausible: 'on', umami: 'on', vercel: 'on', posthog: 'on' }],
  ['referrer', { tacit: 'on', plausible: 'on', umami: 'on', vercel: 'on', posthog: 'on' }],
  ['UTM campaign parameters', { tacit: 'on', plausible: 'on', umami: 'on', vercel: 'on', posthog: 'on' }],
  ['screen or viewport size', { tacit: 'on', plausible: 'no', umami: 'on', vercel: 'no', posthog: 'on' }],
  ['browser language', { tacit: 'on', plausible: 'no', umami: 'on', vercel: 'no', posthog: 'on' }],
  ['single-page-app route changes', { tacit: 'on', plausible: 'on', umami: 'on', vercel: 'on', posthog: 'opt' }],
  ['time on page', { tacit: 'on', plausible: 'on', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['scroll depth', { tacit: 'on', plausible: 'on', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['outbound link clicks', { tacit: 'on', plausible: 'opt', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['file downloads', { tacit: 'on', plausible: 'opt', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['form submissions', { tacit: 'on', plausible: 'opt', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['custom events / goals', { tacit: 'on', plausible: 'on', umami: 'on', vercel: 'on', posthog: 'on' }],
  ['goal value / revenue', { tacit: 'on', plausible: 'on', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['rage clicks', { tacit: 'on', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['dead clicks', { tacit: 'on', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'opt' }],
  ['quick back', { tacit: 'on', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'no' }],
  ['Core Web Vitals (LCP, INP, CLS)', { tacit: 'on', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'opt' }],
  ['page feedback / survey', { tacit: 'opt', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'opt' }],
  ['bots and automation dropped in the browser', { tacit: 'on', plausible: 'on', umami: 'no', vercel: '?', posthog: 'on' }],
  ['consent signals (GPC, DNT, TCF, Consent Mode)', { tacit: 'on', plausible: 'no', umami: 'no', vercel: '?', posthog: 'opt' }],
  ['page title', { tacit: 'no', plausible: 'no', umami: 'on', vercel: 'no', posthog: 'on' }],
  ['every click (autocapture)', { tacit: 'no', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'on' }],
  ['session replay', { tacit: 'no', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'opt' }],
  ['JavaScript exceptions', { tacit: 'no', plausible: 'no', umami: 'no', vercel: 'no', posthog: 'opt' }],
  ['persistent visitor id / identify', { tacit: 'no', plausible: 'no', umami: 'opt', vercel: 'no', posthog: 'on' }],
];

/** How many signals `tracker` captures by default, and with every option on. */
export function signalCounts(tracker) {
  const marks = SIGNALS.map(([, row]) => row[tracker]);
  const on = marks.filter((mark) => mark === 'on').length;
  return { on, withOptions: on + marks.filter((mark) => mark === 'opt').length };
}
