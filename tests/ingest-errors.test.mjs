// Ingest errors: POST /e answers every malformed or misdirected beacon with a clear status and
// counts only well-formed beacons for existing sites. HTTP only, no browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UA_WINDOWS } from './support/browser.mjs';
import { edgeFetch, postBeacon, waitForViews } from './support/edge.mjs';
import { assertJsonError, countsByPath, totals, useEdge } from './support/fixtures.mjs';

// A page of the test site (which allows localhost), on another origin than the edge.
const ORIGIN = 'http://localhost:8788';
const MAX_BODY = 4096;

/** A valid beacon for `path`, padded with JSON whitespace to exactly `bytes` bytes. */
function beaconOfSize(path, bytes) {
  const json = JSON.stringify({ site: 'demo', path });
  return json.slice(0, -1) + ' '.repeat(bytes - json.length) + '}';
}

function assertCors(res) {
  const allowed = res.headers.get('access-control-allow-origin');
  assert.ok(['*', ORIGIN].includes(allowed), `Access-Control-Allow-Origin: ${allowed}`);
}

describe('POST /e errors', () => {
  const env = useEdge();
  // Every beacon comes with a browser's user agent, so none is dropped as a bot's.
  const send = (body, headers) => postBeacon(env.edge.url, body, { 'User-Agent': UA_WINDOWS, ...headers });

  test('rejects a beacon that is not JSON with 400', async () => {
    await assertJsonError(await send('{"site":"demo","path":'), 400);
  });

  test('rejects a beacon over 4096 bytes with 413', async () => {
    const body = beaconOfSize('/too-big', MAX_BODY + 1);
    assert.equal(Buffer.byteLength(body), MAX_BODY + 1);
    await assertJsonError(await send(body), 413);
  });

  test('rejects an oversized beacon sent without Content-Length with 413', async () => {
    // A streamed body goes out chunked, so the edge has to count the bytes as it reads them.
    const res = await edgeFetch(`${env.edge.url}/e`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'User-Agent': UA_WINDOWS },
      body: new Blob([beaconOfSize('/too-big-chunked', MAX_BODY + 1)]).stream(),
      duplex: 'half',
    });
    await assertJsonError(res, 413);
  });

  test('answers a beacon for an unknown site with 404', async () => {
    await assertJsonError(await send({ site: 'nosuchsite', path: '/' }), 404);
  });

  test('rejects a beacon without a path with 400', async () => {
    await assertJsonError(await send({ site: 'demo' }), 400);
  });

  test('accepts a text/plain beacon with 202, an empty body and CORS headers', async () => {
    const res = await send({ site: 'demo', path: '/x' }, { Origin: ORIGIN });
    assert.equal(res.status, 202);
    assert.equal(await res.text(), '');
    assertCors(res);
  });

  test('accepts a beacon of exactly 4096 bytes', async () => {
    const body = beaconOfSize('/at-the-limit', MAX_BODY);
    assert.equal(Buffer.byteLength(body), MAX_BODY);
    const res = await send(body);
    assert.equal(res.status, 202, await res.text());
  });

  test('answers the CORS preflight for /e with 204', async () => {
    const res = await edgeFetch(`${env.edge.url}/e`, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.equal(res.status, 204);
    assertCors(res);
  });

  // Runs after the tests above (node:test runs a file's tests in order): of all their beacons,
  // only the two accepted ones may show up.
  test('counts the accepted beacons and none of the rejected ones', async () => {
    const result = await waitForViews(() => env.pages(), (r) => r.totals.views >= 2);
    assert.deepEqual(countsByPath(result), {
      '/x': { views: 1, visitors: 1 },
      '/at-the-limit': { views: 1, visitors: 1 },
    });
    assert.deepEqual(totals(result), { views: 2, visitors: 1 });
  });
});
