// Funnels: a site's ordered steps (paths or goals). With journey consent the tab follows its
// visit through them and sends a `funnel` beacon each time the visit reaches the next step, with
// no id and no linking of beacons; the summary counts visits per step, names the biggest drop
// and who drops there. Steps count in order: a skipped step stops the visit there, and going
// back counts nothing twice. Each tab is its own visit; withdrawing journey consent stops it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { apiRequest, edgeFetch, todayUtc } from './support/edge.mjs';
import { assertJsonError } from './support/fixtures.mjs';
import { consenting, ofType, page, useSnippet } from './support/snippet.mjs';

const SIGNUP = { name: 'Signup', steps: ['/pricing.html', '/signup.html', 'goal:Signed up'] };
const APP = { name: 'App checkout', steps: ['/app/plans', '/app/checkout'] };

const PAGES = {
  'index.html': page('<h1>Home</h1><a id="pricing" href="/pricing.html">Pricing</a><a id="about" href="/about.html">About</a>'),
  'pricing.html': page('<h1>Pricing</h1><a id="signup" href="/signup.html">Sign up</a><a id="about" href="/about.html">About</a>'),
  'signup.html': page(`<h1>Sign up</h1><button id="done" onclick="tacit('goal', 'Signed up')">Create account</button>
    <a id="pricing" href="/pricing.html">Back to pricing</a>`),
  'about.html': page(`<h1>About</h1><button id="done" onclick="tacit('goal', 'Signed up')">Join</button>
    <a id="signup" href="/signup.html">Sign up</a>`),
  'app/index.html': page(`<h1>App</h1>
    <button id="plans" onclick="history.pushState({}, '', '/app/plans')">Plans</button>
    <button id="checkout" onclick="history.pushState({}, '', '/app/checkout')">Checkout</button>`),
};

const JOURNEY = consenting({ measurement: true, journey: true });

describe('funnels', () => {
  const env = useSnippet();
  let ids;

  before(async () => {
    const res = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/demo', {
      token: env.edge.adminToken,
      body: { funnels: [SIGNUP, APP] },
    });
    assert.equal(res.status, 200, await res.clone().text());
    const lines = (await (await edgeFetch(`${env.edge.url}/f/demo`)).text()).trim().split('\n');
    ids = Object.fromEntries(lines.map((line, i) => [[SIGNUP, APP][i].name, Number(line.split('\t')[0])]));
  });

  const steps = (beacons, funnel) => ofType(beacons, 'funnel')
    .filter((b) => b.funnel === ids[funnel.name]).map((b) => b.step).sort();
  const summaryFunnels = async () => {
    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/demo/summary?from=${day}&to=${day}`, { token: env.site.viewer_token });
    assert.equal(res.status, 200);
    return (await res.json()).summary.funnels;
  };
  const visitsAt = (funnels, funnel) => funnels.funnels.find((f) => f.name === funnel.name).steps.map((s) => s.visits);

  test('the snippet reads the funnels: ids and steps, nothing else', async () => {
    const res = await edgeFetch(`${env.edge.url}/f/demo`);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(await res.text(), `${ids.Signup}\t${SIGNUP.steps.join('\t')}\n${ids['App checkout']}\t${APP.steps.join('\t')}\n`);
    await assertJsonError(await edgeFetch(`${env.edge.url}/f/nosuchsite`), 404);
  });

  test('a visit through every step sends one beacon per step, repeating its entry', async () => {
    const before = visitsAt(await summaryFunnels(), SIGNUP);
    const { page: tab } = await env.open(PAGES, { init: JOURNEY, referer: 'https://t.co/x' });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the entry');
    await tab.click('#pricing');
    await env.waitFor((b) => steps(b, SIGNUP).length === 1, 'step 1');
    await tab.click('#signup');
    await env.waitFor((b) => steps(b, SIGNUP).length === 2, 'step 2');
    await tab.click('#done');
    const beacons = await env.waitFor((b) => steps(b, SIGNUP).length === 3, 'step 3, the goal');
    const funnel = ofType(beacons, 'funnel');
    assert.deepEqual(funnel.map((b) => b.referrer), ['t.co', 't.co', 't.co'], 'the entry, for the channel group');
    assert.ok(funnel.every((b) => b.viewport === 'desktop' && b.path === undefined && b.previous === undefined));
    // The goal, two pages into the visit, repeats the visit's entry too (journey consent).
    const [goal] = ofType(beacons, 'event');
    assert.deepEqual([goal.path, goal.entry, goal.referrer], ['/signup.html', true, 't.co']);
    await env.allAccepted();
    const after = visitsAt(await summaryFunnels(), SIGNUP);
    assert.deepEqual(after, before.map((n) => n + 1));
  });

  test('a skipped step stops the visit there until it is reached, and going back counts nothing twice', async () => {
    const { page: tab } = await env.open(PAGES, { init: JOURNEY, path: '/pricing.html' });
    await env.waitFor((b) => steps(b, SIGNUP).length === 1, 'step 1 on the entry');
    // The goal on /about.html skips /signup.html: no step 3.
    await tab.click('#about');
    await env.waitFor((b) => ofType(b, 'view').length === 2, 'the view of /about.html');
    await tab.click('#done');
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the goal');
    // Then signup, back to pricing, signup again, and the goal.
    await tab.click('#signup');
    await env.waitFor((b) => steps(b, SIGNUP).length === 2, 'step 2');
    await tab.click('#pricing');
    await tab.click('#signup');
    await env.waitFor((b) => ofType(b, 'view').length === 5, 'back and forth');
    await tab.click('#done');
    const beacons = await env.waitFor((b) => steps(b, SIGNUP).length === 3, 'step 3');
    await env.settle(tab);
    assert.deepEqual(steps(env.recorder.beacons, SIGNUP), [1, 2, 3]);
    assert.equal(ofType(beacons, 'event').length, 2, 'both goals count as goals');
    await env.allAccepted();
  });

  test('a single-page app moves through its funnel by route changes', async () => {
    const { page: tab } = await env.open(PAGES, { init: JOURNEY, path: '/app/' });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the first view');
    await tab.click('#plans');
    await env.waitFor((b) => steps(b, APP).length === 1, 'step 1');
    await tab.click('#checkout');
    await env.waitFor((b) => steps(b, APP).length === 2, 'step 2');
    assert.deepEqual(steps(env.recorder.beacons, SIGNUP), []);
    await env.allAccepted();
  });

  test('each tab is its own visit: a step reached in another tab does not carry over', async () => {
    const { page: first, base, context } = await env.open(PAGES, { init: JOURNEY, path: '/pricing.html' });
    await env.waitFor((b) => steps(b, SIGNUP).length === 1, 'step 1 in the first tab');
    const second = await context.newPage();
    await second.goto(`${base}/signup.html`);
    await env.waitFor((b) => ofType(b, 'view').length === 2, 'the second tab\'s view');
    await second.click('#done');
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the goal in the second tab');
    await env.settle(second);
    await env.settle(first);
    assert.deepEqual(steps(env.recorder.beacons, SIGNUP), [1], 'the second tab never reached /pricing.html');
    await env.allAccepted();
  });

  test('journey consent withdrawn mid-funnel stops it and removes what the tab kept', async () => {
    const { page: tab } = await env.open(PAGES, { init: JOURNEY, path: '/pricing.html' });
    await env.waitFor((b) => steps(b, SIGNUP).length === 1, 'step 1');
    assert.ok(await tab.evaluate(() => sessionStorage.getItem('tacit:fp')), 'the progress is kept');
    await tab.evaluate(() => window.tacit('consent', { measurement: true, journey: false }));
    assert.equal(await tab.evaluate(() => sessionStorage.length), 0, 'and removed');
    await tab.click('#signup');
    await env.waitFor((b) => ofType(b, 'view').length === 2, 'the view of /signup.html');
    await tab.click('#done');
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the goal');
    await env.settle(tab);
    assert.deepEqual(steps(env.recorder.beacons, SIGNUP), [1]);
    await env.allAccepted();
  });

  test('without journey consent the snippet neither reads the funnels nor sends a step', async () => {
    const { page: tab } = await env.open(PAGES, { init: consenting({ measurement: true, journey: false }), path: '/pricing.html' });
    const asked = [];
    tab.on('request', (request) => request.url().includes('/f/') && asked.push(request.url()));
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.click('#signup');
    await env.waitFor((b) => ofType(b, 'view').length === 2, 'the next view');
    assert.equal(await tab.evaluate(() => sessionStorage.length), 0);
    await env.settle(tab);
    assert.deepEqual([ofType(env.recorder.beacons, 'funnel'), asked], [[], []]);
  });

  test('the edge counts no step of a funnel the site does not have, and refuses a step without journey consent', async () => {
    const before = await summaryFunnels();
    const journey = { measurement: 'granted', journey: 'granted', source: 'api' };
    const send = (body) => edgeFetch(`${env.edge.url}/e`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ site: 'demo', type: 'funnel', ...body }) });
    assert.equal((await send({ consent: journey, funnel: 12345, step: 1 })).status, 202, 'an old tab learns nothing');
    assert.equal((await send({ consent: journey, funnel: ids.Signup, step: 4 })).status, 202);
    await assertJsonError(await send({ funnel: ids.Signup, step: 1 }), 400);
    assert.deepEqual(await summaryFunnels(), before);
  });

  test('refuses funnels that cannot be counted, saying why', async () => {
    for (const funnels of [
      [{ name: 'Short', steps: ['/a'] }],
      [{ name: 'Bad', steps: ['/a', 'pricing'] }],
      [{ name: 'A', steps: ['/a', '/b'] }, { name: 'A', steps: ['/c', '/d'] }],
      [{ name: 'Dated', steps: ['/a', '/b'], since: '2026-01-01' }],
    ]) {
      const res = await apiRequest(env.edge.url, 'PATCH', '/api/v1/sites/demo', { token: env.edge.adminToken, body: { funnels } });
      const text = await res.clone().text();
      await assertJsonError(res, 400);
      assert.match(text, /funnels|since/, JSON.stringify(funnels));
    }
  });
});
