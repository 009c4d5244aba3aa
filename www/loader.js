// tacit's loader, served as /t.js and pasted by site owners as
//   <script defer src="https://<edge>/t.js" data-site="<site id>"></script>
// It loads the snippet's WebAssembly from the edge that served this file (content-addressed,
// checked with Subresource Integrity) and starts it. It never throws into the host page.
//
// `www/build.mjs` bundles this file with wasm-bindgen's glue and defines the two constants.
/* global __TACIT_WASM_FILE__, __TACIT_WASM_INTEGRITY__ */
import init, { start } from '../target/snippet-pkg/tacit_snippet.js';

(() => {
  const script = document.currentScript;
  const site = script && script.getAttribute('data-site');
  if (!site) return;
  const edge = new URL(script.src).origin;
  const wasm = fetch(`${edge}/t/${__TACIT_WASM_FILE__}`, {
    integrity: __TACIT_WASM_INTEGRITY__,
    credentials: 'omit',
  });
  init({ module_or_path: wasm })
    .then(() => start(site, `${edge}/e`))
    .catch(() => {});
})();
