// Builds the snippet's deployable files into www/dist from the optimised WebAssembly:
//   www/dist/t/<hash>.wasm  the WebAssembly, named by its content hash (served immutable)
//   www/dist/t.js           the loader, minified, which pins that file name and its
//                           Subresource Integrity hash
// Run by `make build` after `cargo build` and `wasm-opt`; prints the sizes.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'www', 'dist');
const wasm = readFileSync(join(root, 'target', 'snippet-pkg', 'tacit_snippet.wasm'));

const wasmFile = `${createHash('sha256').update(wasm).digest('hex').slice(0, 16)}.wasm`;
const integrity = `sha384-${createHash('sha384').update(wasm).digest('base64')}`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 't'), { recursive: true });
writeFileSync(join(dist, 't', wasmFile), wasm);

await build({
  entryPoints: [join(root, 'www', 'loader.js')],
  outfile: join(dist, 't.js'),
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2020',
  legalComments: 'none',
  define: {
    __TACIT_WASM_FILE__: JSON.stringify(wasmFile),
    __TACIT_WASM_INTEGRITY__: JSON.stringify(integrity),
  },
});

const loader = readFileSync(join(dist, 't.js'));
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
console.log(`snippet: t.js ${loader.length} B (${gz(loader)} B gzip), t/${wasmFile} ${wasm.length} B (${gz(wasm)} B gzip)`);
console.log(`snippet_gz_bytes=${gz(loader) + gz(wasm)}`);
