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
});
