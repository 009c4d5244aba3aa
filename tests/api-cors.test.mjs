// Cross-origin reads (issue 18): a dashboard on another origin may read a site's viewer API
// when the site lists that exact origin in its `cors_origins` setting, after a preflight for its
// Authorization header. No other origin gets CORS headers, no site lists one by default, and the
// admin API and the auditor's routes never answer another origin. HTTP only, as a browser's
// fetch would send it (Origin, and a preflight before a request with Authorization).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, createSite, edgeFetch, postBeacon, waitForViews } from './support/edge.mjs';
import { assertJsonError, useEdge } from './support/fixtures.mjs';

const DASHBOARD = 'https://dash.example';
const LOCAL_DASHBOARD = 'http://localhost:5173';
const VIEWER_ROUTES = ['summary', 'pages', 'page?path=/pricing', 'insights'];

describe('cross-origin reads of the viewer API', () => {
  const env = useEdge();
  const route = (name, site = 'demo') => `${env.edge.url}/api/v1/sites/${site}/${name}`;
  /** What a browser sends before a cross-origin GET that carries Authorization. */
  const preflight = (url, origin) => edgeFetch(url, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
  });
  const read = (url, origin, token = env.site.viewer_token) => edgeFetch(url, {
    headers: { Origin: origin, Authorization: `Bearer ${token}` },
  });

  before(async () => {
    const patched = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/demo', {
      token: env.edge.adminToken, body: { cors_origins: [DASHBOARD, LOCAL_DASHBOARD] },
    });
    assert.equal(patched.status, 200, await patched.text());
    const res = await postBeacon(env.edge.url, { site: 'demo', path: '/pricing' }, { 'User-Agent': UA_WINDOWS });
    assert.equal(res.status, 202);
    await waitForViews(() => env.pages(), (r) => r.totals.views >= 1);
  });

  test('answers a listed origin\'s preflight and reads on every viewer route', async () => {
    for (const origin of [DASHBOARD, LOCAL_DASHBOARD]) {
      for (const name of VIEWER_ROUTES) {
        const allowed = await preflight(route(name), origin);
        assert.equal(allowed.status, 204, `${name} preflight from ${origin}`);
        assert.equal(allowed.headers.get('access-control-allow-origin'), origin, name);
        assert.match(allowed.headers.get('access-control-allow-methods'), /\bGET\b/, name);
        assert.match(allowed.headers.get('access-control-allow-headers'), /\bauthorization\b/i, name);
        assert.match(allowed.headers.get('vary') ?? '', /\bOrigin\b/, name);

        const res = await read(route(name), origin);
        assert.equal(res.status, 200, `${name} from ${origin}: ${await res.clone().text()}`);
        assert.equal(res.headers.get('access-control-allow-origin'), origin, name);
        assert.match(res.headers.get('vary') ?? '', /\bOrigin\b/, name);
        await res.body?.cancel();
      }
    }
    // An error is readable too, so that the dashboard can say why.
    const refused = await read(route('summary'), DASHBOARD, 'not-the-token');
    assert.equal(refused.headers.get('access-control-allow-origin'), DASHBOARD);
    await assertJsonError(refused, 401);
  });

  test('gives an origin the site does not list no CORS header', async () => {
    for (const origin of ['https://evil.example', 'http://dash.example', 'https://dash.example:8443', 'https://sub.dash.example', 'null']) {
      const denied = await preflight(route('summary'), origin);
      assert.equal(denied.status, 204, origin);
      assert.equal(denied.headers.get('access-control-allow-origin'), null, origin);
      const res = await read(route('summary'), origin);
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
      await res.body?.cancel();
    }
  });

  test('never answers another origin on the admin API or the auditor\'s routes', async () => {
    const asAdmin = { Origin: DASHBOARD, Authorization: `Bearer ${env.edge.adminToken}` };
    for (const target of ['/api/v1/sites/demo', '/api/v1/sites/demo/status', '/api/v1/sites/demo/changes',
      '/api/v1/sites/demo/privacy', '/api/v1/sites/demo/export', '/privacy/demo', '/s/demo']) {
      const res = await edgeFetch(`${env.edge.url}${target}`, { headers: asAdmin });
      assert.equal(res.headers.get('access-control-allow-origin'), null, target);
      await res.body?.cancel();
      const options = await preflight(`${env.edge.url}${target}`, DASHBOARD);
      assert.equal(options.headers.get('access-control-allow-origin'), null, `${target} preflight`);
      await assertJsonError(options, 405, `${target} preflight`);
    }
  });

  test('opens no site to another origin by default', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'closed');
    assert.deepEqual(site.settings.cors_origins, []);
    const res = await read(route('summary', 'closed'), DASHBOARD, site.viewer_token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    await res.body?.cancel();
    const denied = await preflight(route('summary', 'closed'), DASHBOARD);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
  });

  test('takes only exact origins, and logs the change', async () => {
    const patch = (cors_origins) => apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/demo', {
      token: env.edge.adminToken, body: { cors_origins },
    });
    for (const origins of [['*'], ['dash.example'], ['https://dash.example/'], ['https://dash.example/app'],
      ['ftp://dash.example'], ['https://user@dash.example'], ['https://dash.example:99999']]) {
      await assertJsonError(await patch(origins), 400, JSON.stringify(origins));
    }
    const res = await patch(['HTTPS://Dash.Example:443', LOCAL_DASHBOARD]);
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).settings.cors_origins, [DASHBOARD, LOCAL_DASHBOARD], 'as a browser sends it');
    const changes = await apiRequest(env.edge.url, 'GET', '/api/v1/sites/demo/changes', { token: env.site.auditor_token });
    const fields = (await changes.json()).entries.map((entry) => entry.field);
    assert.ok(fields.includes('cors_origins'), fields.join(', '));
  });
});
