// Hostile input: what anyone on the internet can send to the edge's public routes. Each case
// gets the status the README and docs/openapi.yaml document; afterwards the edge has not
// panicked, and a bystander site on the same edge shows exactly the figures it had before.
// Cases ingest-errors, ingest-protection and site-settings already cover (non-JSON, a body of
// 4097 ASCII bytes, sequential retries, a foreign Origin, a small page cap) are not repeated.
// HTTP only, no browser.
import assert from 'node:assert/strict';
import http from 'node:http';
import { before, describe, test } from 'node:test';
import { UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, createSite, edgeFetch, pages, postBeacon, randomToken, waitForViews } from './support/edge.mjs';
import { assertJsonError, countsByPath, useEdge } from './support/fixtures.mjs';

const MAX_BODY = 4096;
/** Distinct paths of the cardinality attack; `make test` sends a few thousand, `make
 * bench-edge` the 100,000 (scripts/load.mjs). */
const ATTACK_PATHS = Number(process.env.HOSTILE_PATHS ?? 600);
const ATTACK_PAGE_CAP = 50;
const IN_FLIGHT = 16;

/** A request exactly as written: no URL normalisation, any bytes in the body. */
function rawRequest(baseUrl, { method = 'GET', path, headers = {}, body }) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode,
        headers: res.headers,
        text: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Asserts a raw answer: `status` and a JSON `{"error": ...}` body. */
function assertRawJsonError(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/, what);
  assert.equal(typeof JSON.parse(res.text).error, 'string', what);
}

const agent = () => `${UA_WINDOWS} Visitor/${randomToken().slice(0, 12)}`;

describe('hostile input', () => {
  const env = useEdge();
  const send = (body, headers = {}) => postBeacon(env.edge.url, body, { 'User-Agent': UA_WINDOWS, ...headers });
  const sendRaw = (body, headers = {}) => rawRequest(env.edge.url, {
    method: 'POST',
    path: '/e',
    headers: { 'Content-Type': 'text/plain', 'User-Agent': UA_WINDOWS, ...headers },
    body,
  });

  // Another customer of the same edge: nothing below may change its figures.
  const bystander = {};
  const bystanderFigures = async () => {
    const summary = await apiRequest(env.edge.url, 'GET', '/api/v1/sites/bystander/summary', { token: bystander.site.viewer_token });
    assert.equal(summary.status, 200);
    return { pages: await pages(env.edge.url, 'bystander', bystander.site.viewer_token), summary: await summary.json() };
  };
  before(async () => {
    bystander.site = await createSite(env.edge.url, env.edge.adminToken, 'bystander');
    for (const [path, userAgent] of [['/', UA_WINDOWS], ['/', UA_MAC], ['/pricing', UA_MAC]]) {
      assert.equal((await postBeacon(env.edge.url, { site: 'bystander', path }, { 'User-Agent': userAgent })).status, 202);
    }
    await waitForViews(() => pages(env.edge.url, 'bystander', bystander.site.viewer_token), (r) => r.totals.views >= 3);
    bystander.before = await bystanderFigures();
  });

  test('refuses bodies that are not valid UTF-8 with 400', async () => {
    const bodies = {
      'a raw 0xff byte in a string': Buffer.concat([Buffer.from('{"site":"demo","path":"/'), Buffer.from([0xff]), Buffer.from('"}')]),
      'an overlong encoding of "/"': Buffer.concat([Buffer.from('{"site":"demo","path":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      'a UTF-16 surrogate as UTF-8': Buffer.concat([Buffer.from('{"site":"demo","path":"/'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      'a lone surrogate escape': Buffer.from('{"site":"demo","path":"/\\ud800"}'),
      'a truncated sequence at the end': Buffer.concat([Buffer.from('{"site":"demo","path":"/"}'), Buffer.from([0xe2, 0x82])]),
      'UTF-16 with a byte-order mark': Buffer.from('\ufeff{"site":"demo","path":"/"}', 'utf16le'),
    };
    for (const [what, body] of Object.entries(bodies)) {
      assertRawJsonError(await sendRaw(body), 400, what);
    }
  });

  test('refuses deeply nested JSON with 400, inside and outside known fields', async () => {
    // As deep as 4 KB allows; serde_json stops at a depth of 128.
    const arrays = (prefix, suffix) => {
      const depth = Math.floor((MAX_BODY - prefix.length - suffix.length) / 2);
      return prefix + '['.repeat(depth) + ']'.repeat(depth) + suffix;
    };
    const objects = (depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const bodies = [
      arrays('{"site":"demo","path":"/","utm":', '}'),
      arrays('{"site":"demo","path":"/","unknown":', '}'),
      arrays('', ''),
      `{"site":"demo","path":"/","consent":${objects(600)}}`,
    ];
    for (const body of bodies) {
      assert.ok(Buffer.byteLength(body) <= MAX_BODY, `${Buffer.byteLength(body)} bytes`);
      await assertJsonError(await send(body), 400, `${body.slice(0, 40)}…`);
    }
  });

  test('refuses a body of 4097 bytes of multi-byte characters, and of a megabyte, with 413', async () => {
    // Fewer characters than the limit, more bytes: the limit is on bytes.
    const prefix = '{"site":"demo","path":"/';
    const multiByte = `${prefix}${'€'.repeat(Math.ceil((MAX_BODY + 1 - prefix.length - 2) / 3))}"}`;
    assert.ok(Buffer.byteLength(multiByte) > MAX_BODY && multiByte.length < MAX_BODY, 'more bytes than characters');
    await assertJsonError(await send(multiByte), 413);
    await assertJsonError(await send(`${prefix}${'a'.repeat(1 << 20)}"}`), 413);
  });

  test('counts a storm of replays of one beacon id once', async () => {
    const id = randomToken().slice(0, 16);
    const replays = await Promise.all(Array.from({ length: 40 }, () => send({ site: 'demo', id, path: '/replayed' })));
    assert.deepEqual([...new Set(replays.map((res) => res.status))], [202]);
    const result = await env.pages();
    assert.deepEqual(countsByPath(result)['/replayed'], { views: 1, visitors: 1 });
  });

  test('takes no time from the client: a timestamp field is 400, a skewed Date header is ignored', async () => {
    for (const field of ['ts', 'time', 'timestamp', 'day']) {
      await assertJsonError(await send({ site: 'demo', path: '/skewed', [field]: 0 }), 400, field);
    }
    for (const date of ['Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'garbage']) {
      assert.equal((await send({ site: 'demo', path: '/skewed' }, { Date: date })).status, 202, date);
    }
    // Counted today, by the edge's clock (the pages API reads today unless told otherwise).
    const result = await env.pages();
    assert.deepEqual(countsByPath(result)['/skewed'], { views: 3, visitors: 1 });
  });

  test('tells visitors apart by CF-Connecting-IP alone, never by forwarding headers a browser can set', async () => {
    const userAgent = agent();
    const forged = [
      { 'X-Forwarded-For': '198.51.100.1' },
      { 'X-Forwarded-For': '198.51.100.2, 203.0.113.7' },
      { 'X-Real-IP': '198.51.100.3' },
      { 'True-Client-IP': '198.51.100.4' },
      { Forwarded: 'for=198.51.100.5' },
      { 'Fastly-Client-IP': '198.51.100.6' },
    ];
    for (const headers of forged) {
      assert.equal((await send({ site: 'demo', path: '/forged' }, { 'User-Agent': userAgent, ...headers })).status, 202);
    }
    let result = await env.pages();
    assert.deepEqual(countsByPath(result)['/forged'], { views: forged.length, visitors: 1 }, 'one person, whatever the headers say');
    // Under wrangler dev nothing stands in front of the edge, so miniflare keeps a client's
    // CF-Connecting-IP (and sets it only when absent); in production Cloudflare overwrites it.
    // README, "Client address". Here it shows that this header, and only it, is read.
    assert.equal((await send({ site: 'demo', path: '/forged' }, { 'User-Agent': userAgent, 'CF-Connecting-IP': '198.51.100.9' })).status, 202);
    result = await env.pages();
    assert.deepEqual(countsByPath(result)['/forged'], { views: forged.length + 1, visitors: 2 });
  });

  test('keeps a visitor rate-limited whatever forwarding headers it rotates', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'rotated', { visitor_beacons_per_minute: 5 });
    // A fresh window, so the burst is not split by the minute's end.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
    const statuses = [];
    for (let n = 0; n < 8; n += 1) {
      const res = await send({ site: 'rotated', path: '/' }, { 'X-Forwarded-For': `198.51.100.${n}`, 'X-Real-IP': `203.0.113.${n}` });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429, 429, 429]);
    assert.equal((await pages(env.edge.url, 'rotated', site.viewer_token)).totals.views, 5);
  });

  test('refuses Origin headers that only look like an allowed hostname with 403', async () => {
    const origins = [
      'http://localhost.evil.example',
      'http://evil.example#localhost',
      'http://evil.example?localhost',
      'http://localhost@evil.example',
      'http://evil.example\\localhost',
      'http://localhost%2eevil.example',
      'ftp://localhost',
      'localhost',
    ];
    for (const origin of origins) {
      await assertJsonError(await send({ site: 'demo', path: '/origin' }, { Origin: origin }), 403, JSON.stringify(origin));
    }
    assert.equal(countsByPath(await env.pages())['/origin'], undefined, 'none counted');
  });

  test('answers a site id of 10 KB with 413 in a beacon, 400 at creation and 404 on every read route', async () => {
    const long = 'a'.repeat(10 * 1024);
    await assertJsonError(await send({ site: long, path: '/' }), 413);
    await assertJsonError(await send({ site: 'a'.repeat(65), path: '/' }), 400, '65 characters');
    await assertJsonError(await apiRequest(env.edge.url, 'POST', '/api/v1/sites', { token: env.edge.adminToken, body: { id: long } }), 400);
    for (const target of [`/api/v1/sites/${long}/pages`, `/api/v1/sites/${long}/summary`, `/api/v1/sites/${long}`, `/api/v1/sites/${long}/status`]) {
      const res = await apiRequest(env.edge.url, 'GET', target, { token: env.edge.adminToken });
      const text = await res.text();
      assert.equal(res.status, 404, `${target.slice(0, 30)}…: ${res.status}`);
      assert.ok(!text.includes(long.slice(0, 100)), 'the error does not echo the id back');
    }
    const page = await edgeFetch(`${env.edge.url}/s/${long}?key=${env.site.viewer_token}`);
    assert.equal(page.status, 404);
    assert.ok(!(await page.text()).includes(long.slice(0, 100)));
  });

  test('answers path traversal in the static routes with 404 and serves no file but the snippet', async () => {
    const targets = [
      '/t/../wrangler.toml',
      '/t/../../wrangler.toml',
      '/t/..%2f..%2fwrangler.toml',
      '/t/%2e%2e/%2e%2e/wrangler.toml',
      '/t/%2e%2e%2fwrangler.toml.wasm',
      '/t/..%5c..%5cwrangler.toml',
      '/t/....//....//wrangler.toml',
      '/t/%252e%252e%252fwrangler.toml',
      '/t//etc/passwd',
      '/t.js/../.dev.vars',
      '/t/0123abcd.wasm%00.toml',
      '/%2e%2e/wrangler.toml',
      '/../../../../etc/passwd',
      '/t/.wasm',
    ];
    for (const path of targets) {
      const res = await rawRequest(env.edge.url, { path });
      assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`);
      assert.ok(!/compatibility_date|ADMIN_TOKEN|root:x:0/.test(res.text), `${path} served a file`);
    }
    // The loader itself is still there.
    assert.equal((await rawRequest(env.edge.url, { path: '/t.js' })).status, 200);
  });

  test('keeps storage bounded under a flood of distinct paths: the page cap folds the rest into (other)', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'flooded', {
      max_pages_per_day: ATTACK_PAGE_CAP,
      visitor_beacons_per_minute: 10_000_000,
      site_beacons_per_minute: 10_000_000,
    });
    let next = 0;
    const statuses = new Map();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < ATTACK_PATHS) {
        const n = next++;
        // Many clients (a botnet): one client alone meets its rate limit, as the next test shows.
        const res = await postBeacon(env.edge.url, { site: 'flooded', path: `/attack/${n.toString(36)}` }, { 'User-Agent': agent() });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        await res.arrayBuffer();
      }
    }));
    assert.deepEqual([...statuses], [[202, ATTACK_PATHS]]);
    const result = await pages(env.edge.url, 'flooded', site.viewer_token);
    const counts = countsByPath(result);
    const named = Object.keys(counts).filter((path) => path !== '(other)');
    assert.equal(named.length, ATTACK_PAGE_CAP, 'the first pages of the day keep their own rows');
    assert.ok(named.every((path) => counts[path].views === 1));
    assert.equal(counts['(other)'].views, ATTACK_PATHS - ATTACK_PAGE_CAP, 'every later path is counted in (other)');
    assert.equal(result.totals.views, ATTACK_PATHS, 'nothing lost');
  });

  test('stops one client flooding distinct paths at its rate limit with 429', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'flooded-alone', { visitor_beacons_per_minute: 20 });
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
    const attacker = agent();
    const statuses = [];
    for (let n = 0; n < 25; n += 1) {
      const res = await postBeacon(env.edge.url, { site: 'flooded-alone', path: `/attack/${n}` }, { 'User-Agent': attacker });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [...Array(20).fill(202), ...Array(5).fill(429)]);
    assert.equal((await pages(env.edge.url, 'flooded-alone', site.viewer_token)).totals.views, 20);
  });

  // These two run last (node:test keeps a file's order): they judge everything above.
  test('leaves the bystander site\'s figures exactly as they were', async () => {
    assert.deepEqual(await bystanderFigures(), bystander.before);
  });

  test('never panics or throws inside the edge', async () => {
    const output = env.edge.output();
    assert.doesNotMatch(output, /panicked at|RuntimeError|unreachable|Uncaught|internal error/i);
  });
});
