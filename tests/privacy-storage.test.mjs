// Privacy of storage: the edge keeps counts, never the IP address or user agent a beacon came
// with, neither in its storage files nor in its log (DESIGN.md, "Privacy model").
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { postBeacon, randomToken, waitForViews } from './support/edge.mjs';
import { countsByPath, useEdge } from './support/fixtures.mjs';

/** Every file under `dir`, read whole. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.path, entry.name));
  return Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file) })));
}

describe('privacy of storage', () => {
  // Its beacons carry no Origin; the site lists only `localhost`, so that the visitors' address,
  // 127.0.0.1, is not also in storage as an allowed hostname.
  const env = useEdge({ settings: { hostnames: ['localhost'] } });

  test('stores no IP address or user agent, in storage or in the log', async () => {
    // Unique strings, so a match can only come from these requests.
    const userAgents = [1, 2].map(
      (n) => `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Probe${n}/${randomToken()}`,
    );
    // Letters only: a run of letters and digits would be scrubbed from the path as a token.
    const pathMarker = `/stored-path-${randomToken().slice(0, 12).replace(/\d/g, (d) => 'ghijklmnop'[d])}`;
    for (const userAgent of userAgents) {
      const res = await postBeacon(env.edge.url, { site: 'demo', path: pathMarker }, { 'User-Agent': userAgent });
      assert.equal(res.status, 202);
    }
    const result = await waitForViews(() => env.pages(), (r) => r.totals.views >= 2);
    assert.deepEqual(countsByPath(result), { [pathMarker]: { views: 2, visitors: 2 } });

    // Stopped, so whatever the edge was going to write is on disk (SQLite WAL files included).
    await env.edge.stop();
    const files = await filesUnder(env.persistDir);
    // The scan looks where the data is: the page's path is stored, in plain text.
    assert.ok(files.some(({ bytes }) => bytes.includes(pathMarker)), 'the stored path is found');

    for (const secret of [...userAgents, '127.0.0.1']) {
      const holding = files.filter(({ bytes }) => bytes.includes(secret)).map(({ file }) => file);
      assert.deepEqual(holding, [], `no file holds ${secret}`);
    }
    // The log is only searched for the user agents: wrangler prints its own 127.0.0.1 address.
    for (const userAgent of userAgents) {
      assert.ok(!env.edge.output().includes(userAgent), `the log does not hold ${userAgent}`);
    }
  });
});
