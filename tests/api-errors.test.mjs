// API access and errors: the read API and the summary page answer only to the site's viewer
// token, say 401 for a missing or wrong token, 404 for an unknown site, 400 for a bad range;
// site creation answers only to the admin token; the benchmarks' yardstick is not there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { randomToken, todayUtc } from './support/edge.mjs';
import { assertJsonError, totals, useEdge } from './support/fixtures.mjs';

describe('API access and errors', () => {
  const env = useEdge();
  const today = todayUtc();

  function getPages(site, { token, query = `from=${today}&to=${today}` } = {}) {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    return fetch(`${env.edge.url}/api/v1/sites/${site}/pages?${query}`, { headers });
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

  test('shows the summary page only with the viewer key', async () => {
    const summary = (query) => fetch(`${env.edge.url}/s/demo${query}`);
    const ok = await summary(`?key=${env.site.viewer_token}`);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type'), /^text\/html/);
    assert.equal((await summary('')).status, 401);
    assert.equal((await summary(`?key=${randomToken()}`)).status, 401);
  });

  test('creates sites only with the admin token and only once', async () => {
    const create = (token, id) => fetch(`${env.edge.url}/api/v1/sites`, {
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
    await assertJsonError(await fetch(`${env.edge.url}/yardstick`, { method: 'POST', body: '{}' }), 404);
  });
});
