// The privacy officer's audit (issue 7): `/privacy/<site>`, its JSON and CSV, and the DPIA
// export — who may read them, that the "what is collected" table is what beacons in each
// consent state really change in storage, and that every opted-out visitor adds only to the
// consent tally. HTTP against `wrangler dev`, and the page in Chromium.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { UA_MAC, UA_WINDOWS } from './support/browser.mjs';
import { apiRequest, createSite, pages, postBeacon, randomToken, todayUtc } from './support/edge.mjs';
import { assertJsonError, atEachScreen, RESULTS_DIR, useEdge } from './support/fixtures.mjs';

const VALUES = ['granted', 'denied', 'unset'];

describe('privacy audit', () => {
  const env = useEdge();
  const privacy = async (site, token, query = '') => {
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/privacy${query}`, { token });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };
  /** Sends one beacon for `site` and asserts the edge accepted it. */
  const send = async (site, body, headers = {}) => {
    const res = await postBeacon(env.edge.url, { site, ...body }, { 'User-Agent': UA_WINDOWS, ...headers });
    assert.equal(res.status, 202, await res.text());
  };
  /** What a marketer can read of a site today: pages, their counts, and the site summary. */
  const marketerView = async (site, viewerToken) => {
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${site}/summary`, { token: viewerToken });
    assert.equal(res.status, 200);
    const { summary } = await res.json();
    return { pages: (await pages(env.edge.url, site, viewerToken)).pages, metrics: summary.metrics };
  };

  test('opens to the auditor and admin tokens only, as a page, JSON, CSV and an export', async () => {
    const get = (target, token) => apiRequest(env.edge.url, 'GET', target, { token });
    for (const target of ['/api/v1/sites/demo/privacy', '/api/v1/sites/demo/export', '/privacy/demo']) {
      await assertJsonError(await get(target, env.site.viewer_token), 401, `${target} with the viewer token`);
      await assertJsonError(await get(target, randomToken()), 401, `${target} with a wrong token`);
      await assertJsonError(await get(target, undefined), 401, `${target} without a token`);
      await assertJsonError(await get(target.replace('demo', 'nosuchsite'), env.site.auditor_token), 404, `${target} of an unknown site`);
      assert.equal((await get(target, env.edge.adminToken)).status, 200, `${target} with the admin token`);
    }
    await assertJsonError(await get('/api/v1/sites/demo/privacy?from=2026-02-30', env.site.auditor_token), 400, 'an impossible date');
    // The two site tokens open different doors.
    for (const target of ['/s/demo', '/api/v1/sites/demo/summary', '/api/v1/sites/demo/pages']) {
      await assertJsonError(await get(target, env.site.auditor_token), 401, `${target} with the auditor token`);
    }

    const report = await privacy('demo', env.site.auditor_token);
    assert.equal(report.site, 'demo');
    assert.equal(report.consent.days.length, 30, 'thirty days of consent rates by default');
    assert.equal(report.consent.to, todayUtc());
    assert.equal(report.policy.mode, 'exempt');
    assert.deepEqual(report.policy.signals.map((s) => s.source), ['api', 'tcf', 'consent_mode', 'gpc', 'dnt', 'default']);
    assert.equal(report.policy.collection.length, 9);
    assert.ok(report.inventory.record_fields.some((f) => f.name === 'visitors' && f.form === 'visitor_sketch'));
    assert.deepEqual(report.inventory.never_stored.map((n) => n.what).slice(0, 3), ['IP address', 'User agent', 'Visitor hash']);
    assert.deepEqual(report.salts.days, [todayUtc()]);
    assert.equal(report.salts.within_limit, true);
    assert.ok(Date.now() - report.salts.last_rotation_ms < 10 * 60_000, 'the salt was drawn when the site was created');
    assert.equal(report.retention.days, 762);
    assert.equal(report.change_log.verified, true);
    assert.equal(report.change_log.entries[0].field, 'site');
    // The test site shows rows of one visitor (k = 1), which the assessment calls out.
    const verdicts = Object.fromEntries(report.assessment.map((c) => [c.id, c.verdict]));
    assert.equal(verdicts.anonymous_statistics, 'fail');
    assert.equal(verdicts.information, 'site_owner');
    assert.equal(verdicts.purpose, 'by_design', 'a condition no setting changes is not shown as a check that passed');
    assert.equal(report.exemption_conditions_met, false);

    const csv = await get('/api/v1/sites/demo/privacy?format=csv&from=2026-11-01&to=2026-11-03', env.site.auditor_token);
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    assert.equal(lines[0], 'day,page_views,measurement_granted,measurement_denied,measurement_unset,journey_granted,journey_denied,journey_unset,opt_outs_gpc,opt_outs_dnt');
    assert.deepEqual(lines.slice(1).map((line) => line.split(',')[0]), ['2026-11-01', '2026-11-02', '2026-11-03']);

    const exported = await get('/api/v1/sites/demo/export', env.site.auditor_token);
    assert.match(exported.headers.get('content-disposition'), /^attachment; filename="tacit-demo-privacy-\d{4}-\d{2}-\d{2}\.json"$/);
    const dpia = await exported.json();
    assert.equal(dpia.format, 'tacit-privacy-export/1');
    assert.match(dpia.record_of_processing.data_subjects, /localhost/);
    assert.ok(dpia.record_of_processing.retention.some((line) => line.includes('762 days')));
    assert.deepEqual(dpia.report.policy, report.policy);

    // A rotated auditor token stops opening the page at once; the new one opens it.
    const rotatedSite = await createSite(env.edge.url, env.edge.adminToken, 'rotated-audit');
    const rotate = await apiRequest(env.edge.url, 'POST', '/api/v1/sites/rotated-audit/tokens/rotate', { token: env.edge.adminToken });
    const rotated = await rotate.json();
    await assertJsonError(await get('/privacy/rotated-audit', rotatedSite.auditor_token), 401, 'the old auditor token');
    assert.equal((await get('/privacy/rotated-audit', rotated.auditor_token)).status, 200);
    const log = (await privacy('rotated-audit', rotated.auditor_token)).change_log;
    assert.deepEqual(log.entries.map((e) => e.field), ['site', 'tokens']);
    assert.equal(log.verified, true);
  });

  for (const mode of ['exempt', 'opt-in']) {
    test(`in ${mode} mode, the "what is collected" table is what each consent state changes in storage`, async () => {
      const id = `matrix-${mode.replace('-', '')}`;
      const site = await createSite(env.edge.url, env.edge.adminToken, id, { consent_mode: mode });
      const before = await privacy(id, site.auditor_token);

      // The page's table, read from its HTML: the same rows as the JSON.
      const res = await apiRequest(env.edge.url, 'GET', `/privacy/${id}`, { token: site.auditor_token });
      const html = await res.text();
      const pageRows = [...html.matchAll(/<tr data-measurement="(\w+)" data-journey="(\w+)" data-counted="(\w+)">/g)]
        .map(([, measurement, journey, counted]) => ({ measurement, journey, counted: counted === 'true' }));
      assert.deepEqual(pageRows, before.policy.collection.map(({ measurement, journey, counted }) => ({ measurement, journey, counted })));

      // One page view per consent state, each on its own path, and one leave and one event.
      for (const { measurement, journey } of before.policy.collection) {
        const consent = { measurement, journey, source: 'api' };
        const path = `/state/${measurement}/${journey}`;
        await send(id, { path, consent });
        await send(id, { type: 'leave', path, entry: true, engaged_ms: 12_000, scroll_pct: 70, consent });
        await send(id, { type: 'event', path, event: { kind: 'goal', name: 'signup' }, consent });
      }
      const after = await privacy(id, site.auditor_token);
      const counted = new Set((await pages(env.edge.url, id, site.viewer_token)).pages.map((p) => p.path));
      for (const row of after.policy.collection) {
        const path = `/state/${row.measurement}/${row.journey}`;
        assert.equal(counted.has(path), row.counted, `${mode}: ${path} is ${row.counted ? '' : 'not '}counted, as the table says`);
      }
      // Every page view, counted or not, is in the consent tally once: its leave and event add
      // nothing. Nine page views, each value of a category in three of them.
      const total = after.consent.total;
      assert.equal(total.page_views, 9);
      for (const value of VALUES) {
        assert.equal(total.measurement[value], 3, `measurement ${value}`);
        assert.equal(total.journey[value], 3, `journey ${value}`);
      }
      assert.equal(counted.size, after.policy.collection.filter((row) => row.counted).length);
    });
  }

  test('an opted-out visitor adds only to the consent tally: GPC, DNT, TCF, Consent Mode, opt-in without consent', async () => {
    const exempt = await createSite(env.edge.url, env.edge.adminToken, 'optout');
    const optIn = await createSite(env.edge.url, env.edge.adminToken, 'optout-optin', { consent_mode: 'opt-in' });
    // Something already counted, so "nothing changed" is a comparison with real figures.
    await send('optout', { path: '/counted' });
    await send('optout-optin', { path: '/counted', consent: { measurement: 'granted', journey: 'unset', source: 'api' } });
    const before = {
      optout: await marketerView('optout', exempt.viewer_token),
      optin: await marketerView('optout-optin', optIn.viewer_token),
    };
    const tallyBefore = (await privacy('optout', exempt.auditor_token)).consent.total;

    const denied = (source) => ({ measurement: 'denied', journey: 'denied', source });
    const visitors = [
      { what: 'GPC header', headers: { 'Sec-GPC': '1' }, consent: undefined },
      { what: 'DNT header', headers: { DNT: '1' }, consent: undefined },
      { what: 'GPC in the browser', headers: {}, consent: denied('gpc') },
      { what: 'TCF denial', headers: {}, consent: denied('tcf') },
      { what: 'Consent Mode denial', headers: {}, consent: denied('consent_mode') },
      { what: 'tacit API denial', headers: {}, consent: denied('api') },
    ];
    for (const [i, { headers, consent }] of visitors.entries()) {
      const userAgent = i % 2 ? UA_MAC : UA_WINDOWS;
      const path = `/opted-out-${i}`;
      await send('optout', { path, consent }, { ...headers, 'User-Agent': userAgent });
      await send('optout', { type: 'leave', path, entry: true, engaged_ms: 30_000, scroll_pct: 90, consent }, { ...headers, 'User-Agent': userAgent });
      await send('optout', { type: 'event', path, event: { kind: 'goal', name: 'signup', value_milli: 5000 }, consent }, { ...headers, 'User-Agent': userAgent });
    }
    for (const consent of [undefined, { measurement: 'unset', journey: 'unset', source: 'api' }, denied('tcf')]) {
      await send('optout-optin', { path: '/no-consent-yet', consent });
      await send('optout-optin', { type: 'event', path: '/no-consent-yet', event: { kind: 'goal', name: 'signup' }, consent });
    }

    assert.deepEqual(await marketerView('optout', exempt.viewer_token), before.optout, 'nothing a marketer sees changed');
    assert.deepEqual(await marketerView('optout-optin', optIn.viewer_token), before.optin, 'nothing changed in opt-in mode');
    const tally = (await privacy('optout', exempt.auditor_token)).consent.total;
    // Each visitor's page view is in the tally once, denied; their leave and event add nothing.
    assert.equal(tally.page_views - tallyBefore.page_views, visitors.length, 'each page view is in the tally');
    assert.equal(tally.measurement.denied - tallyBefore.measurement.denied, visitors.length);
    assert.equal(tally.opt_outs_gpc, 2, 'the GPC header and the browser GPC signal, one page view each');
    assert.equal(tally.opt_outs_dnt, 1);
    const bySource = Object.fromEntries(tally.by_source.map((s) => [s.source, s.denied]));
    assert.deepEqual(bySource, { api: 1, tcf: 1, consent_mode: 1, gpc: 2, dnt: 1, default: 0 });
    const optInTally = (await privacy('optout-optin', optIn.auditor_token)).consent.total;
    assert.equal(optInTally.page_views, 1 + 3, 'the counted page view and the three without consent');
    assert.equal(optInTally.measurement.granted, 1, 'only the one page view with consent was counted');
  });

  test('the page reads well at phone and desktop width, prints, and loads nothing but itself', async () => {
    // Some consent states to chart: two granted, one denied by GPC, one without a signal.
    for (const [consent, userAgent] of [[{ measurement: 'granted', journey: 'granted', source: 'tcf' }, UA_WINDOWS], [{ measurement: 'granted', journey: 'denied', source: 'api' }, UA_MAC], [{ measurement: 'denied', journey: 'denied', source: 'gpc' }, UA_WINDOWS], [undefined, UA_MAC]]) {
      await send('demo', { path: '/pricing', consent }, { 'User-Agent': userAgent });
    }
    await atEachScreen(async (page, name) => {
      const problems = [];
      page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
      page.on('pageerror', (error) => problems.push(error.message));
      const requests = [];
      page.on('request', (req) => requests.push(req.url()));
      const url = `${env.edge.url}/privacy/demo?key=${env.site.auditor_token}`;
      const res = await page.goto(url);
      assert.equal(res.status(), 200);
      assert.equal(res.headers()['referrer-policy'], 'no-referrer');
      assert.match(res.headers()['content-security-policy'], /default-src 'none'/);
      assert.deepEqual(requests, [url], 'no other request: no script, font, image or tracker');
      const headings = await page.locator('h2').allTextContents();
      assert.deepEqual(headings, [
        'CNIL audience-measurement exemption', 'Consent policy', 'What is collected in each consent state',
        'Data inventory', 'Consent rates per day', 'Salt rotation', 'Retention', 'Configuration change log',
      ]);
      assert.match(await page.locator('#chain-verdict').textContent(), /Chain verified/);
      assert.equal(await page.locator('#consent-days thead th:nth-child(2)').textContent(), 'Page views', 'the unit is named');
      assert.equal(await page.locator('#consent-days tfoot th + td').textContent(), '4', 'four page views in the range');
      // Nothing wider than the screen but the tables that scroll on their own.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`);
      await page.screenshot({ path: path.join(RESULTS_DIR, `privacy-page-${name}.png`), fullPage: true });
      if (name === 'desktop') {
        // The range picker keeps the auditor's key, and the export link works from the page.
        await page.getByRole('link', { name: '7 days' }).click();
        assert.equal(new URL(page.url()).searchParams.get('key'), env.site.auditor_token);
        const weekAgo = new Date(Date.parse(`${todayUtc()}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
        assert.equal(await page.locator('p.range').textContent(), `Consent rates of ${weekAgo} – ${todayUtc()}`);
        assert.equal(await page.locator('svg.chart.wide').getAttribute('aria-label'), 'Measurement consent per day: granted, denied and unset shares of the page views');
        const download = page.waitForEvent('download');
        await page.getByRole('link', { name: 'Download the JSON export' }).click();
        assert.match((await download).suggestedFilename(), /^tacit-demo-privacy-.*\.json$/);
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.locator('nav.picker').isVisible(), false, 'printing leaves out the picker');
      }
      assert.deepEqual(problems, []);
    });
  });
});
