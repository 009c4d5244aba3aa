// Core Web Vitals: the leave beacon carries the page's Largest Contentful Paint, its Interaction
// to Next Paint and its Cumulative Layout Shift as Chromium's PerformanceObserver reports them,
// and the page summary shows them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiRequest, todayUtc } from './support/edge.mjs';
import { ofType, page, useSnippet } from './support/snippet.mjs';

// A heading that paints (LCP); a banner pushed in above the content after load, with no input
// near it (a layout shift); a button whose click handler keeps the main thread busy for 250 ms
// (a slow interaction).
const SLOW_PAGE = page(`<h1 style="font-size:64px">Vitals</h1>
<p style="font-size:24px">Some text that moves when the banner arrives.</p>
<button id="slow" style="font-size:24px">Slow button</button>
<script>
  addEventListener('load', () => setTimeout(() => {
    const banner = document.createElement('div');
    banner.style.height = '200px';
    banner.textContent = 'Late banner';
    document.body.prepend(banner);
  }, 200));
  document.getElementById('slow').addEventListener('click', () => {
    const end = performance.now() + 250;
    while (performance.now() < end);
  });
</script>`);

describe('web vitals', () => {
  const env = useSnippet();

  test('the leave beacon reports LCP, INP and CLS from the browser, and the page summary shows them', async () => {
    const { page: tab } = await env.open({ 'slow.html': SLOW_PAGE }, { path: '/slow.html' });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.waitForFunction(() => document.body.firstChild.textContent === 'Late banner');
    // Let the shift be recorded before the click, which would otherwise count as recent input.
    await tab.waitForTimeout(300);
    await tab.click('#slow');
    // The next paint after the handler ends the interaction; give the entry time to arrive.
    await tab.waitForTimeout(300);
    const leave = await env.leave(tab, '/slow.html');

    assert.ok(leave.lcp_ms > 0 && leave.lcp_ms < 10_000, `lcp ${leave.lcp_ms} ms`);
    assert.ok(leave.inp_ms >= 250 && leave.inp_ms < 2_000, `inp ${leave.inp_ms} ms: the handler took 250 ms`);
    assert.ok(leave.cls_milli > 0, `cls ${leave.cls_milli / 1000}: the banner moved the content`);
    await env.allAccepted();

    const day = todayUtc();
    const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/demo/page?path=/slow.html&from=${day}&to=${day}`, { token: env.site.viewer_token });
    assert.equal(res.status, 200, await res.clone().text());
    const { vitals } = (await res.json()).summary;
    // One sample each: its 75th percentile is the value sent, within the sketch's 1 %.
    const near = (actual, expected, name) => assert.ok(Math.abs(actual - expected) <= expected * 0.01 + 1e-9,
      `${name}: ${actual} for ${expected}`);
    assert.deepEqual([vitals.lcp_ms.samples, vitals.inp_ms.samples, vitals.cls.samples], [1, 1, 1]);
    near(vitals.lcp_ms.p75, leave.lcp_ms, 'LCP');
    near(vitals.inp_ms.p75, leave.inp_ms, 'INP');
    near(vitals.cls.p75, leave.cls_milli / 1000, 'CLS');
    assert.ok(['needs_improvement', 'poor'].includes(vitals.inp_ms.rating), `an interaction over 200 ms is not good: ${vitals.inp_ms.rating}`);
  });
});
