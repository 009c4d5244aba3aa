// Goals: tacit('goal', name, {value}) before and after the snippet has loaded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const STUB = '<script>window.tacit = window.tacit || function () { (tacit.q = tacit.q || []).push(arguments); };'
  + "tacit('goal', 'newsletter');</script>";

describe('goals', () => {
  const env = useSnippet();

  test('reports a goal with a value, and one queued before the snippet loaded', async () => {
    const { page: tab } = await env.open({ 'index.html': page('<h1>Checkout</h1>', { head: STUB }) });
    await env.waitFor((b) => ofType(b, 'event').length === 1, 'the queued goal');
    await tab.evaluate(() => window.tacit('goal', 'signup', { value: 12.5 }));
    const leave = await env.leave(tab, '/');

    assert.deepEqual(ofType(env.recorder.beacons, 'event').map((e) => e.event), [
      { kind: 'goal', name: 'newsletter' },
      { kind: 'goal', name: 'signup', value_milli: 12500 },
    ]);
    assert.equal(leave.reached_goal, true);
    // On the visit's first page, a goal repeats its entry (direct: no referrer) and viewport.
    const goals = ofType(env.recorder.beacons, 'event');
    assert.deepEqual(goals.map((e) => [e.entry, e.referrer, e.viewport]), [[true, undefined, 'desktop'], [true, undefined, 'desktop']]);
    await env.allAccepted();
  });
});
