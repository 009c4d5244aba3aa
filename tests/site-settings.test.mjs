// Site settings at ingest: beacons only from the site's allowed hostnames, the opt-in consent
// mode, and the cap on distinct pages per day. HTTP only, no browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, createSite, pages, postBeacon, waitForViews } from './support/edge.mjs';
import { assertJsonError, countsByPath, useEdge } from './support/fixtures.mjs';

const GRANTED = { measurement: 'granted', journey: 'denied', source: 'api' };
const DENIED = { measurement: 'denied', journey: 'denied', source: 'tcf' };
const UNSET = { measurement: 'unset', journey: 'unset', source: 'default' };

describe('site settings at ingest', () => {
  const env = useEdge();
  const send = (body, headers = {}) => postBeacon(env.edge.url, body, { 'User-Agent': UA_WINDOWS, ...headers });

  test('refuses a beacon from a page whose hostname the site does not list with 403', async () => {
    for (const origin of ['http://evil.example', 'https://localhost.evil.example', 'null', 'http://127.0.0.2:8788']) {
      const res = await send({ site: 'demo', path: '/refused' }, { Origin: origin });
      assert.equal(res.headers.get('access-control-allow-origin'), '*', 'the error is readable by the page');
      await assertJsonError(res, 403, origin);
    }
  });

  test('accepts beacons from listed hostnames on any port, and without Origin', async () => {
    for (const origin of ['http://localhost:8788', 'http://127.0.0.1:9999', 'https://LOCALHOST']) {
      const res = await send({ site: 'demo', path: '/accepted' }, { Origin: origin });
      assert.equal(res.status, 202, `${origin}: ${await res.text()}`);
    }
    // A server or a script (no Origin header) is let through: see README, "Allowed hostnames".
    const res = await send({ site: 'demo', path: '/accepted' });
    assert.equal(res.status, 202);
    const result = await waitForViews(() => env.pages(), (r) => r.totals.views >= 4);
    assert.deepEqual(countsByPath(result), { '/accepted': { views: 4, visitors: 1 } }, 'no refused beacon counted');
  });

  test('allows every subdomain of a wildcard hostname but not the parent', async () => {
    await createSite(env.edge.url, env.edge.adminToken, 'wild', { hostnames: ['*.example.com'] });
    const sendFrom = (origin) => send({ site: 'wild', path: '/' }, { Origin: origin });
    assert.equal((await sendFrom('https://shop.example.com')).status, 202);
    assert.equal((await sendFrom('https://a.b.example.com')).status, 202);
    await assertJsonError(await sendFrom('https://example.com'), 403);
    await assertJsonError(await sendFrom('https://badexample.com'), 403);
  });

  test('applies a hostname change at once', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'moving', { hostnames: ['old.example'] });
    const sendFrom = (origin) => send({ site: 'moving', path: '/' }, { Origin: origin });
    assert.equal((await sendFrom('https://old.example')).status, 202);
    const patched = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/moving', {
      token: env.edge.adminToken, body: { hostnames: ['new.example'] },
    });
    assert.equal(patched.status, 200);
    await assertJsonError(await sendFrom('https://old.example'), 403);
    assert.equal((await sendFrom('https://new.example')).status, 202);
    const result = await pages(env.edge.url, 'moving', site.viewer_token);
    assert.equal(result.totals.views, 2);
  });

  test('in opt-in mode counts only beacons with measurement consent granted', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'optin', { consent_mode: 'opt-in' });
    const sendOptIn = async (body, userAgent = UA_WINDOWS) => {
      const res = await postBeacon(env.edge.url, { site: 'optin', ...body }, { 'User-Agent': userAgent });
      assert.equal(res.status, 202, await res.text());
    };
    await sendOptIn({ path: '/no-signal' });
    await sendOptIn({ path: '/unset', consent: UNSET });
    await sendOptIn({ path: '/denied', consent: DENIED });
    await sendOptIn({ type: 'leave', path: '/granted', entry: true, engaged_ms: 1000, scroll_pct: 10, consent: UNSET });
    await sendOptIn({ type: 'event', path: '/granted', event: { kind: 'goal', name: 'signup' }, consent: UNSET });
    await sendOptIn({ path: '/granted', consent: GRANTED });
    await sendOptIn({ path: '/granted', consent: GRANTED }, UA_MAC);
    const result = await waitForViews(() => pages(env.edge.url, 'optin', site.viewer_token), (r) => r.totals.views >= 2);
    assert.deepEqual(countsByPath(result), { '/granted': { views: 2, visitors: 2 } });

    // Every page view added to the consent tally, which the auditor reads in the status: the
    // leave and the event of a visitor without consent add nothing.
    const res = await apiRequest(env.edge.url, 'GET', '/api/v1/sites/optin/status', { token: site.auditor_token });
    assert.equal(res.status, 200);
    const status = await res.json();
    assert.equal(status.consent_mode, 'opt-in');
    const measurement = {};
    for (const { category, value, count } of status.consent_today) {
      if (category === 'measurement') measurement[value] = (measurement[value] ?? 0) + count;
    }
    assert.deepEqual(measurement, { unset: 2, denied: 1, granted: 2 });

    // The same beacons without consent are counted once the site is exempt.
    await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/optin', {
      token: env.edge.adminToken, body: { consent_mode: 'exempt' },
    });
    await sendOptIn({ path: '/no-signal' });
    const exempt = await waitForViews(() => pages(env.edge.url, 'optin', site.viewer_token), (r) => r.totals.views >= 3);
    assert.deepEqual(countsByPath(exempt)['/no-signal'], { views: 1, visitors: 1 });
  });

  test('counts pages beyond the daily cap as "(other)"', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'capped', { max_pages_per_day: 2 });
    for (const path of ['/a', '/b', '/c', '/d', '/a']) {
      const res = await postBeacon(env.edge.url, { site: 'capped', path }, { 'User-Agent': UA_WINDOWS });
      assert.equal(res.status, 202);
    }
    const result = await pages(env.edge.url, 'capped', site.viewer_token);
    assert.deepEqual(countsByPath(result), {
      '/a': { views: 2, visitors: 1 },
      '/b': { views: 1, visitors: 1 },
      '(other)': { views: 2, visitors: 1 },
    });
  });
});
