// API access and errors: the read API and the summary page answer only to the site's viewer
// token, say 401 for a missing or wrong token, 404 for an unknown site, 400 for a bad range;
// site creation answers only to the admin token, which is taken only from the Authorization
// header; a method a route does not have is a JSON 405 with Allow, HEAD answers wherever GET
// does, and no answer may be sniffed as another type; the benchmarks' yardstick is not there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edgeFetch, randomToken, todayUtc } from './support/edge.mjs';
import { assertJsonError, totals, useEdge } from './support/fixtures.mjs';

describe('API access and errors', () => {
  const env = useEdge();
  const today = todayUtc();

  function getPages(site, { token, query = `from=${today}&to=${today}` } = {}) {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    return edgeFetch(`${env.edge.url}/api/v1/sites/${site}/pages?${query}`, { headers });
  }

  test('answers the pages API with the viewer token, as a header or as ?key=', async () => {
    const byHeader = await getPages('demo', { token: env.site.viewer_token });
    assert.equal(byHeader.status, 200, await byHeader.clone().text());
    assert.match(byHeader.headers.get('content-type'), /^application\/json/);
    const result = await byHeader.json();
    assert.deepEqual([result.site, result.from, result.to], ['demo', today, today]);
    assert.deepEqual(totals(result), { views: 0, visitors: 0 });
    assert.deepEqual(result.pages, [], 'no page seen yet');

    const byKey = await getPages('demo', { query: `from=${today}&to=${today}&key=${env.site.viewer_token}` });
    assert.equal(byKey.status, 200, await byKey.text());
  });

  test('answers 401 to the pages API without a token', async () => {
    await assertJsonError(await getPages('demo'), 401);
  });

  test('answers 401, not 404, to the pages API with a wrong token', async () => {
    await assertJsonError(await getPages('demo', { token: randomToken() }), 401);
    await assertJsonError(await getPages('demo', { query: `from=${today}&to=${today}&key=${randomToken()}` }), 401);
  });

  test('answers 404 to the pages API for an unknown site, whatever the token', async () => {
    await assertJsonError(await getPages('nosuchsite', { token: env.site.viewer_token }), 404);
    await assertJsonError(await getPages('nosuchsite', { token: randomToken() }), 404);
  });

  test('rejects a date range that ends before it starts with 400', async () => {
    const query = 'from=2025-03-02&to=2025-03-01';
    await assertJsonError(await getPages('demo', { token: env.site.viewer_token, query }), 400);
  });

  test('rejects a malformed date with 400', async () => {
    for (const from of ['2025-3-1', '2025-13-01', '2025-02-30', 'yesterday']) {
      const query = `from=${from}&to=${today}`;
      await assertJsonError(await getPages('demo', { token: env.site.viewer_token, query }), 400, query);
    }
  });

  test('answers 400, not 500, to a range compared with days that have no date', async () => {
    // Regression (issue 18): from=0000-01-01 was compared with the week before it, in the year
    // -1, and the summary and its page answered 500.
    const key = env.site.viewer_token;
    for (const target of [
      '/api/v1/sites/demo/summary?from=0000-01-01&to=0000-01-07',
      '/api/v1/sites/demo/insights?from=0000-01-01&to=0000-01-07',
      `/s/demo?from=0000-01-01&to=0000-01-07&key=${key}`,
      `/s/demo/p?path=/&from=0000-01-07&to=0000-01-13&key=${key}`,
    ]) {
      const res = await edgeFetch(`${env.edge.url}${target}`, { headers: { Authorization: `Bearer ${key}` } });
      await assertJsonError(res, 400, target);
    }
    // The first week whose previous week has dates (0000-01-01 to 0000-01-07) reads.
    const earliest = await getPages('demo', { token: key, query: 'from=0000-01-08&to=0000-01-14' });
    assert.equal(earliest.status, 200, await earliest.text());
    const summary = await edgeFetch(`${env.edge.url}/api/v1/sites/demo/summary?from=0000-01-08&to=0000-01-14`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    assert.equal(summary.status, 200, await summary.text());
  });

  test('takes the admin token only from the Authorization header, never from ?key=', async () => {
    // Regression (issue 18): ?key=<admin token> opened the admin API and the privacy report,
    // which put the admin secret into URLs, browser histories and logs.
    const admin = env.edge.adminToken;
    for (const target of ['/api/v1/sites/demo', '/api/v1/sites/demo/status', '/api/v1/sites/demo/privacy', '/privacy/demo']) {
      await assertJsonError(await edgeFetch(`${env.edge.url}${target}?key=${admin}`), 401, `${target}?key=<admin>`);
      const byHeader = await edgeFetch(`${env.edge.url}${target}`, { headers: { Authorization: `Bearer ${admin}` } });
      assert.equal(byHeader.status, 200, `${target} with the admin token in the header`);
      await byHeader.body?.cancel();
    }
  });

  test('reads the Bearer scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      const authorization = (token) => ({ headers: { Authorization: `${scheme} ${token}` } });
      const read = await edgeFetch(`${env.edge.url}/api/v1/sites/demo/pages`, authorization(env.site.viewer_token));
      assert.equal(read.status, 200, `${scheme}: ${await read.text()}`);
      const admin = await edgeFetch(`${env.edge.url}/api/v1/sites/demo`, authorization(env.edge.adminToken));
      assert.equal(admin.status, 200, `${scheme}: ${await admin.text()}`);
    }
  });

  test('falls back to ?key= when the Authorization header is of another scheme', async () => {
    // A proxy in front of the edge may add its own Basic credentials to every request.
    const basic = { headers: { Authorization: `Basic ${Buffer.from('proxy:secret').toString('base64')}` } };
    const key = env.site.viewer_token;
    for (const target of [`/api/v1/sites/demo/pages?key=${key}`, `/s/demo?key=${key}`]) {
      const res = await edgeFetch(`${env.edge.url}${target}`, basic);
      assert.equal(res.status, 200, `${target} behind Basic: ${await res.text()}`);
    }
    // Still not the admin token.
    await assertJsonError(await edgeFetch(`${env.edge.url}/api/v1/sites/demo?key=${env.edge.adminToken}`, basic), 401);
  });

  test('answers a method a route does not have with a JSON 405 whose Allow lists the route\'s methods', async () => {
    for (const [method, target, allowed] of [
      ['DELETE', '/api/v1/sites/demo/summary', 'GET, HEAD, OPTIONS'],
      ['PUT', '/api/v1/sites/demo', 'DELETE, GET, HEAD, PATCH'],
      ['GET', '/e', 'OPTIONS, POST'],
      ['POST', '/s/demo', 'GET, HEAD'],
      ['PATCH', '/api/v1/sites', 'POST'],
      ['OPTIONS', '/api/v1/sites/demo/status', 'GET, HEAD'],
    ]) {
      const res = await edgeFetch(`${env.edge.url}${target}`, { method });
      const allow = res.headers.get('allow')?.split(', ').sort().join(', ');
      assert.equal(allow, allowed, `${method} ${target}`);
      await assertJsonError(res, 405, `${method} ${target}`);
    }
  });

  test('answers HEAD wherever GET answers, with the same status and headers and no body', async () => {
    const key = env.site.viewer_token;
    for (const target of [
      '/healthz',
      '/t.js',
      `/s/demo?key=${key}`,
      `/api/v1/sites/demo/summary?key=${key}`,
      `/api/v1/sites/demo/pages?format=csv&key=${key}`,
      '/api/v1/sites/demo/pages',
    ]) {
      const get = await edgeFetch(`${env.edge.url}${target}`);
      const head = await edgeFetch(`${env.edge.url}${target}`, { method: 'HEAD' });
      assert.equal(head.status, get.status, target);
      // Framing differs (a HEAD answer has no body to chunk); every other header is the same.
      const headers = (res) => [...res.headers].filter(([name]) => !['date', 'content-length', 'transfer-encoding'].includes(name));
      assert.deepEqual(headers(head), headers(get), target);
      assert.equal(await head.text(), '', target);
      await get.body?.cancel();
    }
  });

  test('marks JSON, CSV and error answers nosniff, as the pages are', async () => {
    const key = env.site.viewer_token;
    for (const [target, type] of [
      [`/api/v1/sites/demo/summary?key=${key}`, /^application\/json/],
      [`/api/v1/sites/demo/pages?format=csv&key=${key}`, /^text\/csv/],
      [`/api/v1/sites/demo/insights?format=csv&key=${key}`, /^text\/csv/],
      ['/api/v1/sites/demo/pages', /^application\/json/],
      ['/api/v1/sites/nosuchsite/pages', /^application\/json/],
      ['/no/such/route', /^application\/json/],
    ]) {
      const res = await edgeFetch(`${env.edge.url}${target}`);
      assert.match(res.headers.get('content-type'), type, target);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', target);
      await res.body?.cancel();
    }
    const admin = await edgeFetch(`${env.edge.url}/api/v1/sites/demo`, { headers: { Authorization: `Bearer ${env.edge.adminToken}` } });
    assert.equal(admin.headers.get('x-content-type-options'), 'nosniff', 'the admin API');
    await admin.body?.cancel();
  });

  test('shows the summary page only with the viewer key', async () => {
    const summary = (query) => edgeFetch(`${env.edge.url}/s/demo${query}`);
    const ok = await summary(`?key=${env.site.viewer_token}`);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type'), /^text\/html/);
    assert.equal((await summary('')).status, 401);
    assert.equal((await summary(`?key=${randomToken()}`)).status, 401);
  });

  test('creates sites only with the admin token and only once', async () => {
    const create = (token, id) => edgeFetch(`${env.edge.url}/api/v1/sites`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ id }),
    });
    await assertJsonError(await create(undefined, 'other'), 401);
    await assertJsonError(await create(env.site.viewer_token, 'other'), 401);
    await assertJsonError(await create(env.edge.adminToken, 'demo'), 409);
    // None of the refused requests created the site.
    await assertJsonError(await getPages('other', { token: env.site.viewer_token }), 404);
  });

  test('has no benchmark yardstick outside a benchmark', async () => {
    // POST /yardstick exists only where the bench sets TACIT_BENCH_YARDSTICK (scripts/bench-edge.mjs).
    await assertJsonError(await edgeFetch(`${env.edge.url}/yardstick`, { method: 'POST', body: '{}' }), 404);
  });
});
