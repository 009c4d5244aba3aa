// Feedback: the one-tap widget (data-feedback), used with the keyboard as a screen reader user
// would, styled in its own shadow root.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

describe('feedback widget', () => {
  const env = useSnippet();

  test('sends the score chosen with the keyboard and thanks the visitor', async () => {
    const { page: tab } = await env.open({
      'index.html': page('<style>button { background: red; font-size: 40px }</style><h1>Docs</h1>',
        { attrs: 'data-feedback="Did this page help you?"' }),
    });
    const group = tab.getByRole('group', { name: 'Did this page help you?' });
    await group.waitFor();
    await tab.keyboard.press('Tab');
    await tab.keyboard.press('Tab');
    await tab.keyboard.press('Tab');
    const focused = await tab.evaluate(() => document.activeElement.shadowRoot?.activeElement?.getAttribute('aria-label'));
    assert.equal(focused, 'Yes');
    const fontSize = await group.getByRole('button', { name: 'Yes' }).evaluate((b) => getComputedStyle(b).fontSize);
    assert.equal(fontSize, '20px', "the page's CSS does not reach the widget");
    await tab.keyboard.press('Enter');
    await tab.getByRole('status').getByText('Thank you for your feedback.').waitFor();

    const beacons = await env.waitFor((b) => ofType(b, 'event').length === 1, 'the feedback');
    assert.deepEqual(ofType(beacons, 'event')[0].event, { kind: 'feedback', score: 3 });
    await env.allAccepted();
  });

  test('is not shown to a visitor who opted out, and is once they consent', async () => {
    const { page: tab } = await env.open({
      'index.html': page('<h1>Docs</h1><script>window.tacit = function () { (tacit.q = tacit.q || []).push(arguments); };'
        + "tacit('consent', { measurement: false });</script>", { attrs: 'data-feedback' }),
    });
    await env.waitFor((b) => ofType(b, 'consent').length === 1, 'the tally');
    assert.equal(await tab.locator('tacit-feedback').count(), 0, 'no widget while opted out');

    await tab.evaluate(() => window.tacit('consent', { measurement: true }));
    await tab.getByRole('group', { name: 'Was this page helpful?' }).waitFor();
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    await tab.evaluate(() => window.tacit('consent', { measurement: false }));
    await tab.locator('tacit-feedback').waitFor({ state: 'detached' });
    await env.settle(tab);
    // The opt-out again moves the page view back to its refusal in the consent tally (it
    // replaces the view's grant: one page view, tallied once), and an opted-out visitor sends
    // no leave.
    assert.deepEqual(env.recorder.beacons.map((b) => b.type ?? 'view'), ['consent', 'view', 'consent']);
    const [, view, optOut] = env.recorder.beacons;
    assert.deepEqual(optOut.replaces_consent, view.consent);
  });
});
