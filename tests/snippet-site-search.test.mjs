// Site search: with `data-search="q"` on the script tag, a page view carries the value of `q` as
// its search term (lower-cased, whitespace collapsed), and nothing else of the query string; a
// term that looks like personal data is not sent. The edge keeps terms only for a site whose
// `search_param` setting names a parameter, and the summary lists them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UA_MAC } from './support/browser.mjs';
import { apiRequest, createSite, postBeacon, todayUtc } from './support/edge.mjs';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const SEARCH_PAGE = { 'search.html': page('<h1>Search results</h1>', { attrs: 'data-search="q"' }) };

describe('site search', () => {
  const env = useSnippet();

  const summary = async (site, token) => {
    const today = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/summary?from=${today}&to=${today}`, { token });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()).summary;
  };
  const setSearchParam = async (value) => {
    const res = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/demo', {
      token: env.edge.adminToken, body: { search_param: value },
    });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };

  test('sends the search term and the campaign tags and no other query data, and the summary lists them', async () => {
    const settings = await setSearchParam('q');
    assert.equal(settings.settings.search_param, 'q');
    const query = 'q=Refund++Policy&utm_source=Newsletter&utm_term=Privacy+Analytics&utm_content=banner-a&secret=s3cr3t-value';
    await env.open(SEARCH_PAGE, { path: `/search.html?${query}` });
    const [view] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.equal(view.path, '/search.html');
    assert.equal(view.search, 'refund policy');
    assert.deepEqual(view.utm, { source: 'newsletter', term: 'Privacy Analytics', content: 'banner-a' });
    assert.doesNotMatch(env.recorder.bodies.join('\n'), /secret|s3cr3t/);
    await env.allAccepted();

    const result = await summary('demo', env.site.viewer_token);
    const rows = (table) => table.map((row) => [row.label, row.count]);
    assert.deepEqual(rows(result.search_terms), [['refund policy', 1]]);
    assert.deepEqual([rows(result.campaign_terms), rows(result.campaign_contents)], [[['Privacy Analytics', 1]], [['banner-a', 1]]]);
  });

  test('sends no term that looks like personal data', async () => {
    await setSearchParam('q');
    await env.open(SEARCH_PAGE, { path: '/search.html?q=jane.doe%40example.com', ua: UA_MAC });
    const [view] = await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    assert.equal(view.search, undefined);
    assert.doesNotMatch(env.recorder.bodies.join('\n'), /jane|example\.com/);
  });

  test('a site without a search parameter keeps no term, even from a beacon that carries one', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'no-search');
    assert.equal(site.settings.search_param, null);
    const res = await postBeacon(env.edge.url, { site: 'no-search', path: '/search', search: 'refund policy' });
    assert.equal(res.status, 202);
    const result = await summary('no-search', site.viewer_token);
    assert.equal(result.metrics.views.current, 1, 'the view is counted');
    assert.deepEqual(result.search_terms, []);

    const bad = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/no-search', {
      token: env.edge.adminToken, body: { search_param: 'q&x' },
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /search_param/);
  });
});
