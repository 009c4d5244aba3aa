// A small site as a new user's first days look: about 50 visitors, most of them direct, a few
// pages and channels of fewer than k visitors, long paths, goals and consent signals. The
// layout tests read its pages at a phone's and a desktop's width (and scripts can photograph
// them); its beacons are sent the way the snippet sends them, one person per user agent.
import assert from 'node:assert/strict';
import { postBeacon, waitForViews } from './edge.mjs';

/** The visitors sent by `sendSmallSite`. */
export const SMALL_SITE_VISITORS = 50;

/** A page that only a few visitors saw: under k = 5, it has no report of its own. */
export const RARE_PATH = '/invoice/acme-gmbh';

/** A long page path, as a blog's or a documentation's. */
export const LONG_PATH = '/blog/2026/why-privacy-first-analytics-needs-no-cookie-banner';

/** A distinct desktop Chrome user agent for visitor `n`: the edge tells people apart by IP + UA. */
export const visitorAgent = (n) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.${n}.0 Safari/537.36`;

/**
 * Where visitor `n` of the small site came from, what they read and did: 45 of 50 come
 * directly, 3 from a search engine, 1 from each of two rare referrers.
 */
function visit(n) {
  const referrer = n < 45 ? undefined : n < 48 ? 'www.google.com' : n === 48 ? 'news.example.com' : 'tiny-blog.example';
  const entry = n % 3 === 0 ? LONG_PATH : n % 3 === 1 ? '/' : '/docs/getting-started/installation';
  const next = n % 4 === 0 ? '/pricing' : undefined;
  const consent = n % 5 === 0
    ? { measurement: 'granted', journey: 'granted', source: 'tcf' }
    : n % 7 === 0 ? { measurement: 'granted', journey: 'denied', source: 'consent_mode' } : undefined;
  const views = [{
    path: entry,
    referrer,
    next,
    // Most read to the end of a short page; some leave early.
    scroll_pct: n % 6 === 0 ? 30 : 100,
    engaged_ms: 400 + n * 2_500,
  }];
  if (next) views.push({ path: next, previous: entry, scroll_pct: 80, engaged_ms: 20_000 + n * 1_000 });
  if (n < 2) views.push({ path: RARE_PATH, previous: next ?? entry, scroll_pct: 100, engaged_ms: 5_000 });
  const goals = n % 4 === 0 ? ['signup'] : n === 1 ? ['rare-goal'] : [];
  return { consent, views, goals };
}

/**
 * Sends the small site's beacons to `site` on the edge at `edgeUrl` and waits until they are
 * counted; resolves to the number of page views sent.
 */
export async function sendSmallSite(edgeUrl, site, viewerPages) {
  let sent = 0;
  const send = async (body, n) => {
    const res = await postBeacon(edgeUrl, { site, ...body }, { 'User-Agent': visitorAgent(n) });
    assert.equal(res.status, 202, await res.text());
  };
  for (let n = 0; n < SMALL_SITE_VISITORS; n++) {
    const { consent, views, goals } = visit(n);
    const withConsent = (body) => (consent ? { ...body, consent } : body);
    for (const [i, view] of views.entries()) {
      const { path, referrer, previous, next, scroll_pct, engaged_ms } = view;
      await send(withConsent({ path, ...(referrer && { referrer }), ...(previous && { previous }) }), n);
      sent++;
      const leave = { type: 'leave', path, entry: i === 0, scroll_pct, engaged_ms, ...(next && { next }) };
      if (i === 0 && referrer) leave.referrer = referrer;
      await send(withConsent(leave), n);
    }
    for (const name of goals) {
      await send(withConsent({ type: 'event', path: views[0].path, event: { kind: 'goal', name } }), n);
    }
  }
  await waitForViews(viewerPages, (r) => r.totals.views >= sent);
  return sent;
}
