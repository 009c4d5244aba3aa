// Frustration: rage clicks (three clicks within 1 s and 30 px) and dead clicks (a click on
// something that looks clickable, after which nothing on the page changes within 1 s).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

describe('rage and dead clicks', () => {
  const env = useSnippet();

  test('counts a rage click on a dead button, and not a click on a button that works', async () => {
    const { page: tab } = await env.open({
      'index.html': page(`<button id="dead">Buy now</button>
        <button id="live" onclick="this.textContent = 'Added'">Add to cart</button><p>Some text</p>`),
    }, { clock: true });
    await env.waitFor((b) => ofType(b, 'view').length === 1, 'the view');
    for (let i = 0; i < 3; i++) await tab.click('#dead');
    await tab.clock.runFor(1_100);
    await tab.click('#live');
    await tab.click('p');
    await tab.clock.runFor(1_100);
    const leave = await env.leave(tab, '/');

    assert.equal(leave.rage_clicks, 1);
    assert.equal(leave.dead_clicks, 3, 'each click on the dead button, none on the live one or the text');
    assert.equal(leave.interactions, 5);
  });
});
