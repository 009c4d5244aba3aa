// Builds the snippet's deployable files into www/dist from wasm-bindgen's output in
// target/snippet-pkg (the optimised WebAssembly, its glue, and the renaming of the
// WebAssembly's imports and exports that wasm-opt printed):
//   www/dist/t/<hash>.wasm  the WebAssembly, named by its content hash (served immutable)
//   www/dist/t/<hash>.js    wasm-bindgen's glue, an ES module, minified, named the same way
//   www/dist/t.js           the loader, minified, which pins both file names and the
//                           WebAssembly's Subresource Integrity hash
// Run by `make build` after `cargo build`, `wasm-bindgen` and `wasm-opt`; prints the sizes as
// name=value lines: the loader alone (the script tag's only file, before the page loads) and
// the whole snippet (loader, glue and WebAssembly, each compressed on its own as a server
// sends them), gzip -9 and brotli at its highest quality.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'www', 'dist');
const pkg = join(root, 'target', 'snippet-pkg');
const wasm = readFileSync(join(pkg, 'tacit_snippet.wasm'));

// wasm-opt gave the WebAssembly's imports, exports and import module short names: the glue is
// renamed to match where wasm-bindgen's glue names them, as `wasm.<export>`, as the keys of its
// imports object, and as that object's module. A name not found where it should be fails the
// build rather than ship a glue that does not fit its WebAssembly.
const renamed = JSON.parse(readFileSync(join(pkg, 'renamed.json'), 'utf8'));
const exportNames = new Map(renamed.exports);
let glueSource = readFileSync(join(pkg, 'tacit_snippet.js'), 'utf8').replace(/\bwasm\.([\w$]+)/g, (_, name) => {
  if (!exportNames.has(name)) throw new Error(`the glue uses an export the WebAssembly lacks: ${name}`);
  return `wasm.${exportNames.get(name)}`;
});
const renameOnce = (from, to) => {
  const parts = glueSource.split(from);
  if (parts.length !== 2) throw new Error(`the glue names ${from} ${parts.length - 1} times, not once`);
  glueSource = parts.join(to);
};
const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(wasm)).map((i) => i.module));
if (modules.size !== 1) throw new Error(`the WebAssembly imports from ${modules.size} modules, not one`);
for (const [module, name, to] of renamed.imports) {
  renameOnce(`\n        ${name}: function`, `\n        ${to}: function`);
  modules.add(module);
}
const [minifiedModule, ...originalModules] = modules;
for (const module of originalModules) renameOnce(`"${module}": import0`, `"${minifiedModule}": import0`);
writeFileSync(join(pkg, 'tacit_snippet.renamed.js'), glueSource);

const minified = { bundle: true, minify: true, target: 'es2020', legalComments: 'none', write: false };
// Only what the loader uses of the glue: `initSync` (the loader compiles the WebAssembly itself)
// and `start` (whose `Tracker` brings the rest). wasm-bindgen's default export, which would fetch
// and compile it, is left out: 530 B gzipped.
const [glue] = (await build({
  ...minified,
  stdin: { contents: "export { initSync, start } from './tacit_snippet.renamed.js';", resolveDir: pkg },
  format: 'esm',
})).outputFiles;

const named = (bytes, extension) => `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${extension}`;
const wasmFile = named(wasm, 'wasm');
const glueFile = named(glue.contents, 'js');
const integrity = `sha384-${createHash('sha384').update(wasm).digest('base64')}`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 't'), { recursive: true });
writeFileSync(join(dist, 't', wasmFile), wasm);
writeFileSync(join(dist, 't', glueFile), glue.contents);

const [loader] = (await build({
  ...minified,
  entryPoints: [join(root, 'www', 'loader.js')],
  format: 'iife',
  define: {
    __TACIT_GLUE_FILE__: JSON.stringify(glueFile),
    __TACIT_WASM_FILE__: JSON.stringify(wasmFile),
    __TACIT_WASM_INTEGRITY__: JSON.stringify(integrity),
  },
})).outputFiles;
writeFileSync(join(dist, 't.js'), loader.contents);

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const brotli = (bytes) => brotliCompressSync(bytes, {
  params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
}).length;
const files = { loader: loader.contents, glue: glue.contents, wasm };
const sum = (size) => Object.values(files).reduce((total, bytes) => total + size(bytes), 0);
for (const [name, bytes] of Object.entries(files)) {
  console.log(`snippet_${name}_bytes=${bytes.length}`);
  console.log(`snippet_${name}_gz_bytes=${gzip(bytes)}`);
  console.log(`snippet_${name}_br_bytes=${brotli(bytes)}`);
}
console.log(`snippet_gz_bytes=${sum(gzip)}`);
console.log(`snippet_br_bytes=${sum(brotli)}`);
