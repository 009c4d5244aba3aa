// The check of the edge's answers against docs/openapi.yaml (tests/support/openapi.mjs), which
// every end-to-end spec runs on the answers it receives: it must refuse what the document does
// not allow, or those specs would pass whatever the edge answered.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OpenApiMismatch, specChecker } from './support/openapi.mjs';

const json = 'application/json';
const pagesAnswer = {
  site: 'demo',
  from: '2026-03-01',
  to: '2026-03-07',
  totals: { views: 3, visitors: 2, bots_dropped: 0 },
  pages: [{ path: '/', visitors: 2, views: 3 }],
};
const pages = (body, status = 200, contentType = json) => ({
  method: 'GET',
  url: '/api/v1/sites/demo/pages?from=2026-03-01',
  status,
  contentType,
  body: JSON.stringify(body),
});

test('an answer the document describes passes', () => {
  const checker = specChecker();
  const before = checker.checked;
  checker.check(pages(pagesAnswer));
  checker.check(pages({ error: 'a valid token is required' }, 401));
  checker.check({ method: 'GET', url: '/no/such/route', status: 404, contentType: json, body: '{"error":"no such route"}' });
  checker.check({ method: 'PUT', url: '/e', status: 405, contentType: json, body: '{"error":"..."}' });
  checker.check({ method: 'GET', url: '/healthz', status: 200, contentType: 'text/plain', body: 'ok' });
  assert.equal(checker.checked - before, 4, 'each JSON answer was validated');
});

test('a field of the wrong type fails with its place and the schema path', () => {
  const wrong = { ...pagesAnswer, totals: { ...pagesAnswer.totals, views: '3' } };
  assert.throws(() => specChecker().check(pages(wrong)), (err) => {
    assert.ok(err instanceof OpenApiMismatch);
    assert.match(err.message, /GET \/api\/v1\/sites\/demo\/pages → 200/);
    assert.match(err.message, /\/totals\/views must be integer \(schema .*PageTotals\/properties\/views\/type\)/);
    return true;
  });
});

test('a missing field, a wrong row or a date that is not one fails', () => {
  const { totals, ...withoutTotals } = pagesAnswer;
  assert.ok(totals);
  for (const wrong of [
    withoutTotals,
    { ...pagesAnswer, pages: [{ label: '/', views: 3 }] },
    { ...pagesAnswer, from: '1 March 2026' },
  ]) {
    assert.throws(() => specChecker().check(pages(wrong)), OpenApiMismatch, JSON.stringify(wrong));
  }
});

test('an error answer not shaped as the errors are fails', () => {
  assert.throws(() => specChecker().check(pages({ message: 'no' }, 404)), /must have required property 'error'/);
  assert.throws(() => specChecker().check(pages('no', 404)), /must be object/);
});

test('a status, route or method the document does not list fails', () => {
  assert.throws(() => specChecker().check(pages({ error: 'x' }, 418)), /status 418 is not among/);
  assert.throws(
    () => specChecker().check({ method: 'GET', url: '/no/such/route', status: 200, contentType: json, body: '{}' }),
    /the document has no such route/,
  );
  assert.throws(
    () => specChecker().check({ method: 'PUT', url: '/api/v1/sites/demo/pages', status: 200, contentType: json, body: '{}' }),
    /the document has no PUT/,
  );
});

test('a JSON answer where the document has none fails', () => {
  assert.throws(
    () => specChecker().check({ method: 'GET', url: '/healthz', status: 200, contentType: json, body: '"ok"' }),
    /documents none/,
  );
});
