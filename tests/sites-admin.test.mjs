// The sites admin API: creating a site with settings, showing, changing and deleting it,
// rotating its tokens, and the hash-chained change log. Only the admin token may change a site;
// the change log also opens to the site's auditor token. HTTP only, no browser.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, createSite, edgeFetch, pages, postBeacon, randomToken, todayUtc } from './support/edge.mjs';
import { assertJsonError, useEdge } from './support/fixtures.mjs';

describe('sites admin API', () => {
  const env = useEdge();
  const api = (method, target, options) => apiRequest(env.edge.url, method, target, options);
  const admin = (method, target, body) => api(method, target, { token: env.edge.adminToken, body });

  test('creates a site with settings and shows them, but never its token hashes', async () => {
    const created = await createSite(env.edge.url, env.edge.adminToken, 'configured', {
      hostnames: ['Shop.Example.com', '*.example.org'], consent_mode: 'opt-in', k: 1, retention_days: 30,
      max_pages_per_day: 10, shards: 1,
    });
    assert.match(created.viewer_token, /^[0-9a-f]{64}$/);
    assert.match(created.auditor_token, /^[0-9a-f]{64}$/);
    assert.notEqual(created.viewer_token, created.auditor_token);

    const res = await admin('GET', '/api/v1/sites/configured');
    assert.equal(res.status, 200);
    const text = await res.text();
    const site = JSON.parse(text);
    assert.equal(site.id, 'configured');
    assert.deepEqual(site.settings.hostnames, ['shop.example.com', '*.example.org']);
    assert.equal(site.settings.consent_mode, 'opt-in');
    assert.deepEqual([site.settings.k, site.settings.retention_days, site.settings.max_pages_per_day], [1, 30, 10]);
    assert.equal(site.changes, 1, 'the creation is the first change');
    assert.doesNotMatch(text, /token/i, 'no token or token hash in the answer');
  });

  test('creates a site with the design defaults when no settings are given', async () => {
    // No settings at all (undefined drops the test helper's own defaults from the JSON).
    const created = await createSite(env.edge.url, env.edge.adminToken, 'defaults', { hostnames: undefined, k: undefined });
    assert.deepEqual(created.settings, {
      hostnames: [], consent_mode: 'exempt', k: 5, retention_days: 762, max_pages_per_day: 1000, shards: 1,
      visitor_beacons_per_minute: 60, site_beacons_per_minute: 60000, public: false, epsilon: 1, search_param: null,
      cors_origins: [], funnels: [],
    });
  });

  test('refuses invalid settings with 400 naming the field, on create and on update', async () => {
    const invalid = [
      [{ k: 0 }, /'k'/],
      [{ retention_days: -1 }, /retention_days/],
      [{ shards: 100 }, /'shards'/],
      [{ consent_mode: 'sometimes' }, /consent_mode|variant/],
      [{ hostnames: ['https://example.com'] }, /'hostnames'/],
      [{ hostnames: 'example.com' }, /invalid type|sequence/],
      [{ colour: 'red' }, /unknown field/],
      [{ epsilon: 0 }, /'epsilon'/],
      [{ public: 'yes' }, /invalid type/],
      [{ cors_origins: ['https://dash.example/'] }, /'cors_origins'/],
      [{ funnels: [{ name: 'One', steps: ['/a'] }] }, /'funnels'/],
    ];
    for (const [settings, message] of invalid) {
      for (const res of [
        await admin('POST', '/api/v1/sites', { id: 'invalid', ...settings }),
        await admin('PATCH', '/api/v1/sites/demo', settings),
      ]) {
        const body = await res.clone().json();
        await assertJsonError(res, 400, JSON.stringify(settings));
        assert.match(body.error, message, JSON.stringify(settings));
      }
    }
    await assertJsonError(await admin('POST', '/api/v1/sites', { hostnames: [] }), 400, 'no id');
    await assertJsonError(await admin('PATCH', '/api/v1/sites/demo', 'not json'), 400, 'not JSON');
    await assertJsonError(await admin('PATCH', '/api/v1/sites/demo', [1]), 400, 'an array');
    await assertJsonError(await admin('GET', '/api/v1/sites/invalid'), 404, 'nothing was created');
  });

  test('answers every admin route only to the admin token', async () => {
    const routes = [
      ['GET', '/api/v1/sites/demo'],
      ['PATCH', '/api/v1/sites/demo', { k: 7 }],
      ['DELETE', '/api/v1/sites/demo'],
      ['POST', '/api/v1/sites/demo/tokens/rotate'],
      ['POST', '/api/v1/sites', { id: 'intruder' }],
    ];
    for (const [method, target, body] of routes) {
      for (const token of [undefined, randomToken(), env.site.viewer_token, env.site.auditor_token]) {
        await assertJsonError(await api(method, target, { token, body }), 401, `${method} ${target}`);
      }
    }
    const site = await (await admin('GET', '/api/v1/sites/demo')).json();
    assert.equal(site.settings.k, 1, 'no refused request changed the site');
  });

  test('answers 404 on every admin route for a site that does not exist', async () => {
    for (const [method, target, body] of [
      ['GET', '/api/v1/sites/nosuchsite'],
      ['PATCH', '/api/v1/sites/nosuchsite', { k: 7 }],
      ['DELETE', '/api/v1/sites/nosuchsite'],
      ['POST', '/api/v1/sites/nosuchsite/tokens/rotate'],
      ['GET', '/api/v1/sites/Not_A_Site'],
    ]) {
      await assertJsonError(await admin(method, target, body), 404, `${method} ${target}`);
    }
  });

  test('updates settings with PATCH and logs each change in a hash chain that verifies', async () => {
    await createSite(env.edge.url, env.edge.adminToken, 'patched');
    const res = await admin('PATCH', '/api/v1/sites/patched', { k: 10, consent_mode: 'opt-in', retention_days: 762 });
    assert.equal(res.status, 200);
    const site = await res.json();
    assert.deepEqual([site.settings.k, site.settings.consent_mode], [10, 'opt-in']);

    const log = await (await admin('GET', '/api/v1/sites/patched/changes')).json();
    assert.equal(log.verified, true, log.error);
    const changes = log.entries.map(({ seq, actor, field, old, new: value }) => [seq, actor, field, old, value]);
    assert.deepEqual(changes.slice(1), [
      [2, 'admin', 'consent_mode', '"exempt"', '"opt-in"'],
      [3, 'admin', 'k', '1', '10'],
    ], 'retention_days kept its value, so it is not a change');
    assert.equal(changes[0][2], 'site');
    assert.equal(site.change_log_head, log.entries.at(-1).hash);
    for (const entry of log.entries) assert.ok(Math.abs(entry.time_ms - Date.now()) < 60_000);
  });

  test('shows the change log to the auditor token but not to the viewer token', async () => {
    const changes = (token) => api('GET', '/api/v1/sites/demo/changes', { token });
    const res = await changes(env.site.auditor_token);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).verified, true);
    await assertJsonError(await changes(env.site.viewer_token), 401);
    await assertJsonError(await changes(undefined), 401);
  });

  test('rotates tokens: new ones work, the old viewer and auditor tokens answer 401 at once', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'rotated');
    const read = (token) => api('GET', `/api/v1/sites/rotated/pages?from=${todayUtc()}&to=${todayUtc()}`, { token });
    const audit = (token) => api('GET', '/api/v1/sites/rotated/changes', { token });
    assert.equal((await read(site.viewer_token)).status, 200);

    const res = await admin('POST', '/api/v1/sites/rotated/tokens/rotate');
    assert.equal(res.status, 200);
    const rotated = await res.json();
    assert.notEqual(rotated.viewer_token, site.viewer_token);
    assert.notEqual(rotated.auditor_token, site.auditor_token);

    await assertJsonError(await read(site.viewer_token), 401, 'old viewer token');
    await assertJsonError(await audit(site.auditor_token), 401, 'old auditor token');
    const summaryPage = await edgeFetch(`${env.edge.url}/s/rotated?key=${site.viewer_token}`);
    assert.equal(summaryPage.status, 401, 'old viewer token on the summary page');
    await summaryPage.body?.cancel();
    assert.equal((await read(rotated.viewer_token)).status, 200);
    const log = await (await audit(rotated.auditor_token)).json();
    assert.deepEqual(log.entries.at(-1).field, 'tokens');
    assert.doesNotMatch(JSON.stringify(log), new RegExp(`${site.viewer_token}|${rotated.viewer_token}`));
  });

  test('answers the pages API to the viewer token only, not to the auditor token', async () => {
    const read = (token) => api('GET', `/api/v1/sites/demo/pages?from=${todayUtc()}&to=${todayUtc()}`, { token });
    assert.equal((await read(env.site.viewer_token)).status, 200);
    await assertJsonError(await read(env.site.auditor_token), 401);
    await assertJsonError(await read(env.edge.adminToken), 401);
  });

  // Last: it stops the edge to read its storage files.
  test('deletes a site and all of its data', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'doomed');
    // Letters only: a run of letters and digits would be scrubbed from the path as a token.
    const marker = `/doomed-page-${randomToken().slice(0, 12).replace(/\d/g, (d) => 'ghijklmnop'[d])}`;
    const res = await postBeacon(env.edge.url, { site: 'doomed', path: marker }, { 'User-Agent': UA_WINDOWS });
    assert.equal(res.status, 202);
    const before = await pages(env.edge.url, 'doomed', site.viewer_token);
    assert.equal(before.totals.views, 1);

    const deleted = await admin('DELETE', '/api/v1/sites/doomed');
    assert.equal(deleted.status, 204);
    await assertJsonError(await admin('GET', '/api/v1/sites/doomed'), 404, 'GET after DELETE');
    await assertJsonError(await api('GET', `/api/v1/sites/doomed/pages`, { token: site.viewer_token }), 404, 'pages');
    await assertJsonError(
      await postBeacon(env.edge.url, { site: 'doomed', path: '/' }, { 'User-Agent': UA_WINDOWS }), 404, 'beacon');
    await assertJsonError(await admin('DELETE', '/api/v1/sites/doomed'), 404, 'a second DELETE');
    // The id is free again, and the new site starts empty.
    const again = await createSite(env.edge.url, env.edge.adminToken, 'doomed');
    assert.equal((await pages(env.edge.url, 'doomed', again.viewer_token)).totals.views, 0);
    const log = await (await admin('GET', '/api/v1/sites/doomed/changes')).json();
    assert.equal(log.entries.length, 1, 'the old change log went with the site');

    await env.edge.stop();
    const entries = await readdir(env.persistDir, { recursive: true, withFileTypes: true });
    const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.path, entry.name));
    for (const file of files) {
      assert.ok(!(await readFile(file)).includes(marker), `${file} still holds the deleted site's page`);
    }
  });
});
