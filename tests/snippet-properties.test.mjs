// Custom properties: tacit('goal' | 'event', name, {value, props}) from the page, before and
// after the snippet has loaded; what never leaves the browser, what the edge drops again from a
// forged beacon, and how the summary page, the API and the CSV show them, escaped and folded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, createSite, edgeFetch, postBeacon, randomToken, todayUtc, waitForViews } from './support/edge.mjs';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const STUB = '<script>window.tacit = window.tacit || function () { (tacit.q = tacit.q || []).push(arguments); };'
  + "tacit('event', 'video_play', { props: { title: 'intro' } });"
  + "tacit('goal', 'newsletter', { props: { source: 'footer' } });</script>";

/** The `event` objects of the goal and custom event beacons received. */
const sentEvents = (beacons) => ofType(beacons, 'event').map((e) => e.event);

describe('custom properties', () => {
  const env = useSnippet();

  /** The summary API's answer for `site` today, with `token`. */
  const summary = async (site = 'demo', token = env.site.viewer_token, query = '') => {
    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/summary?from=${day}&to=${day}${query}`, { token });
    assert.equal(res.status, 200, await res.clone().text());
    return query.includes('csv') ? res.text() : (await res.json()).summary;
  };
  /** Polls the summary until `predicate(summary)` holds. */
  const summaryWhen = (predicate, site, token) => waitForViews(() => summary(site, token), predicate);
  /** `{ key: [[value, count, value_sum], ...] }` of `name` in `breakdowns`. */
  const valuesOf = (breakdowns, name) => Object.fromEntries(breakdowns.filter((b) => b.name === name)
    .map((b) => [b.key, b.values.map((v) => [v.value, v.count, v.value_sum])]));

  test('sends the properties of goals and custom events, and of calls queued before the snippet loaded', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Pricing</h1>', { head: STUB }) });
    await env.waitFor((b) => ofType(b, 'event').length === 2, 'the queued goal and event');
    await tab.evaluate(() => window.tacit('goal', 'signup', { value: 12.5, props: { plan: 'pro', seats: 3, share: 0.25, trial: false } }));
    const leave = await env.leave(tab, '/');

    assert.deepEqual(sentEvents(env.recorder.beacons), [
      { kind: 'custom', name: 'video_play', props: { title: 'intro' } },
      { kind: 'goal', name: 'newsletter', props: { source: 'footer' } },
      { kind: 'goal', name: 'signup', value_milli: 12500, props: { plan: 'pro', seats: '3', share: '0.25', trial: 'false' } },
    ]);
    assert.equal(leave.reached_goal, true);
    await env.allAccepted();

    const shown = await summaryWhen((s) => s.goal_properties.length >= 5 && s.event_properties.length === 1);
    assert.deepEqual(valuesOf(shown.goal_properties, 'signup'), {
      plan: [['pro', 1, 12.5]], seats: [['3', 1, 12.5]], share: [['0.25', 1, 12.5]], trial: [['false', 1, 12.5]],
    });
    assert.deepEqual(valuesOf(shown.event_properties, 'video_play'), { title: [['intro', 1, 0]] });
    assert.deepEqual(shown.custom_events, [{ event: 'video_play', count: 1, value: 0 }]);
    assert.deepEqual(shown.goals.map((g) => g.goal).sort(), ['newsletter', 'signup'], 'a custom event is no goal');
  });

  test('a custom event alone does not make the visit engaged', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Video</h1>') });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.evaluate(() => window.tacit('event', 'video_play', { value: 3 }));
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the event');
    const leave = await env.leave(tab, '/');
    assert.deepEqual(sentEvents(env.recorder.beacons), [{ kind: 'custom', name: 'video_play', value_milli: 3000 }]);
    assert.equal(leave.reached_goal, false);
  });

  test('does not send properties that look like personal data, and the edge drops them again from a forged beacon', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Checkout</h1>') });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.evaluate(() => window.tacit('goal', 'purchase', {
      props: { email: 'jane@example.com', phone: '+49 151 1234 5678', order: 84467315, 'jane@example.com': 'buyer', plan: 'pro' },
    }));
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the goal');
    assert.deepEqual(sentEvents(env.recorder.beacons), [{ kind: 'goal', name: 'purchase', props: { plan: 'pro' } }]);
    // Each beacon's random hex id is left out: "151" turns up in one now and then.
    const withoutIds = env.recorder.bodies.map((body) => body.replace(/"id":"[0-9a-f]+"/, ''));
    assert.ok(!withoutIds.some((body) => /jane|151|84467315/.test(body)), withoutIds.join('\n'));

    // A client that is not the snippet sends them anyway: accepted, the goal counted, the
    // properties that identify someone dropped.
    const forged = {
      site: 'demo', type: 'event', path: '/checkout',
      event: { kind: 'goal', name: 'forged', props: { email: 'john@example.com', phone: '555-123-4567', token: 'cus_NffrFeUfNV2Hib', plan: 'team' } },
    };
    assert.equal((await postBeacon(env.edge.url, forged, { 'User-Agent': UA_WINDOWS })).status, 202);
    const shown = await summaryWhen((s) => s.goal_properties.some((b) => b.name === 'forged'));
    assert.deepEqual(valuesOf(shown.goal_properties, 'forged'), { plan: [['team', 1, 0]] });
    assert.ok(!/john|555-123|cus_Nffr/.test(JSON.stringify(shown)));
  });

  test('refuses malformed properties with one warning each and no beacon', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Shop</h1>') });
    const { warnings, errors } = env.watchConsole(tab);
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');

    await tab.evaluate(() => {
      const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
      window.tacit('goal', 'signup', { props: 'plan=pro' });
      window.tacit('goal', 'signup', { props: { plan: { name: 'pro' } } });
      window.tacit('event', 'filter', { props: { tags: ['a', 'b'] } });
      window.tacit('event', 'filter', { props: { run: () => 1 } });
      window.tacit('goal', 'signup', { props: nine });
      window.tacit('goal', 'signup', { props: { note: 'x'.repeat(100_000) } });
      window.tacit('goal', 'signup', { props: { ['k'.repeat(41)]: 'v' } });
      // Well formed: the one beacon these calls send.
      window.tacit('goal', 'signup', { props: Object.fromEntries(Object.entries(nine).slice(0, 8)) });
    });
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the well-formed goal');
    await env.settle(tab);

    assert.deepEqual(sentEvents(env.recorder.beacons).map((e) => Object.keys(e.props).length), [8]);
    assert.equal(warnings.length, 7, warnings.join('\n'));
    for (const warning of warnings) assert.ok(warning.startsWith('tacit: ') && warning.includes('options.props'), warning);
    assert.deepEqual(errors, []);
  });

  test('shows hostile keys and values escaped on the summary page', async () => {
    const key = '<script>alert(1)</script>';
    const value = '<img src=x onerror=alert(2)>';
    const { page: tab } = await env.open({ 'index.html': page('<h1>Plans</h1>') });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.evaluate(([k, v]) => window.tacit('goal', 'xss', { props: { [k]: v } }), [key, value]);
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the goal');
    await summaryWhen((s) => s.goal_properties.some((b) => b.name === 'xss'));

    const dialogs = [];
    tab.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss();
    });
    const res = await tab.goto(`${env.edge.url}/s/demo?key=${env.site.viewer_token}`);
    const html = await res.text();
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;') && html.includes('&lt;img src=x onerror=alert(2)&gt;'), 'escaped');
    assert.ok(!html.includes(key) && !html.includes(value), 'never raw');
    const heading = tab.locator('h3.property', { hasText: 'xss' });
    assert.equal(await heading.textContent(), `xss · ${key}`);
    assert.equal(await tab.locator('img[src=x]').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  test('keeps hundreds of distinct values bounded and folds those under k on the page, the API and the CSV', async () => {
    const site = await createSite(env.edge.url, env.edge.adminToken, 'folded', { k: 5 });
    const agent = () => `${UA_WINDOWS} Visitor/${randomToken().slice(0, 12)}`;
    const goal = (plan, value) => ({
      site: 'folded', type: 'event', path: '/signup', event: { kind: 'goal', name: 'signup', value_milli: value * 1000, props: { plan } },
    });
    // 50 visitors' views: every row's visitors are estimated from its count, at 1 per view.
    const beacons = Array.from({ length: 50 }, () => ({ site: 'folded', path: '/signup' }));
    // "pro" 200 times, with a value, first so that its counter holds from the start; then 400
    // plans that each one visitor sends once, "pro" between them.
    const pro = Array.from({ length: 200 }, () => goal('pro', 10));
    const once = Array.from({ length: 400 }, (_, i) => goal(`plan ${i}`, 1));
    beacons.push(...pro.slice(0, 20), ...once.flatMap((b, i) => (i % 2 === 0 && pro[20 + i / 2] ? [b, pro[20 + i / 2]] : [b])));
    assert.equal(beacons.length, 50 + 600);
    let next = 0;
    const statuses = [];
    // A few in flight: more make `wrangler dev` on a busy machine answer 503 (its Durable
    // Object's queue overflows), which says nothing about tacit.
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < beacons.length) {
        const body = beacons[next++];
        statuses.push((await postBeacon(env.edge.url, body, { 'User-Agent': agent() })).status);
      }
    }));
    assert.ok(statuses.every((s) => s === 202), `statuses: ${[...new Set(statuses)]}`);

    const shown = await summaryWhen((s) => s.goals[0]?.completions === 600, 'folded', site.viewer_token);
    assert.deepEqual(valuesOf(shown.goal_properties, 'signup'), { plan: [['pro', 200, 2000], ['(other)', 400, shown.goal_properties[0].values[1].value_sum]] });
    assert.ok(shown.goal_properties[0].values[1].value_sum <= 400, 'values of plans no longer tracked are missed, never added');

    const csv = await summary('folded', site.viewer_token, '&format=csv&table=properties');
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'kind,name,key,value,count,value_sum');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(',')), ['goal,signup,plan,pro,200', 'goal,signup,plan,(other),400']);

    const res = await edgeFetch(`${env.edge.url}/s/folded?key=${site.viewer_token}`);
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.ok(html.includes('signup · plan') && html.includes('>pro<'), 'the value above k is shown');
    assert.ok(!/plan \d/.test(html), 'no value under k is named');
  });
});
