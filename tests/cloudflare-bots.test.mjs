// Cloudflare's bot detection at the edge: the worker reads the request's `cf` object with
// serde-wasm-bindgen, and a request Cloudflare takes for a bot's (a verified bot, or a bot score
// below 30) counts as a dropped bot page view, whatever its user agent. `wrangler dev` gives every
// request a placeholder `cf` (country US, score 99); Miniflare takes a request's whole `cf` from its
// `MF-CF-Blob` header instead, which is how these requests carry Bot Management's fields.
// HTTP only, no browser.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { UA_WINDOWS } from './support/browser.mjs';
import { edgeFetch, postBeacon, waitForViews } from './support/edge.mjs';
import { countsByPath, useEdge } from './support/fixtures.mjs';

const cf = (fields) => ({ 'MF-CF-Blob': JSON.stringify(fields) });

describe("Cloudflare's bot detection", () => {
  const env = useEdge();
  const send = async (body, headers = {}) => {
    const res = await postBeacon(env.edge.url, { site: 'demo', ...body }, { 'User-Agent': UA_WINDOWS, ...headers });
    assert.equal(res.status, 202, `${JSON.stringify(body)}: ${await res.text()}`);
  };
  const summary = async () => {
    const res = await edgeFetch(`${env.edge.url}/api/v1/sites/demo/summary`, {
      headers: { Authorization: `Bearer ${env.site.viewer_token}` },
    });
    assert.equal(res.status, 200);
    return (await res.json()).summary;
  };

  before(async () => {
    // A person under wrangler dev's placeholder `cf`.
    await send({ path: '/placeholder' });
    // A person in a zone with Bot Management, and in one without it.
    await send({ path: '/human-score' }, cf({ country: 'CH', botManagement: { verifiedBot: false, score: 87 } }));
    await send({ path: '/country-only' }, cf({ country: 'CH' }));
    // Malformed fields are ignored: the view counts, with the country.
    await send({ path: '/malformed' }, cf({ country: 'CH', botManagement: { score: '12', verifiedBot: 'yes' } }));
    // A browser's user agent that Cloudflare takes for a bot: a verified bot, a low score. The
    // low-score bot's leave adds nothing, as a crawler's does.
    await send({ path: '/verified' }, cf({ country: 'US', botManagement: { verifiedBot: true, score: 99 } }));
    const automated = cf({ country: 'US', botManagement: { verifiedBot: false, score: 12 } });
    await send({ path: '/automated' }, automated);
    await send({ type: 'leave', path: '/automated', entry: true, engaged_ms: 9000, scroll_pct: 50 }, automated);
    // The last beacon: once it is counted, everything before it has been handled.
    await send({ path: '/last' });
  });

  test('counts the views of people, with or without Bot Management and with malformed fields', async () => {
    const result = await waitForViews(() => env.pages(), (r) => r.pages.some((p) => p.path === '/last'));
    assert.deepEqual(countsByPath(result), {
      '/placeholder': { views: 1, visitors: 1 },
      '/human-score': { views: 1, visitors: 1 },
      '/country-only': { views: 1, visitors: 1 },
      '/malformed': { views: 1, visitors: 1 },
      '/last': { views: 1, visitors: 1 },
    });
  });

  test('counts a verified bot and a low bot score as dropped bot page views', async () => {
    assert.equal((await env.pages()).totals.bots_dropped, 2);
  });

  test("takes the country from cf: wrangler dev's placeholder US, and the country the header gave", async () => {
    const { countries } = (await summary()).audience;
    assert.deepEqual(countries, [{ label: 'CH', count: 3 }, { label: 'US', count: 2 }]);
  });
});
