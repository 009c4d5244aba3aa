// Forms: a submission is reported by the form's id or name, never with a field's value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofType, page, useSnippet } from './support/snippet.mjs';

const SECRET = 'correct-horse-battery-staple-42';

describe('forms', () => {
  const env = useSnippet();

  test('reports a form submit with a password field by its id, and the value appears nowhere', async () => {
    const { page: tab } = await env.open({
      'signup.html': page(`<form id="signup" action="/welcome.html">
        <input name="email" autocomplete="email"><input type="password" name="password" autocomplete="new-password">
        <button>Create account</button></form>`),
      'welcome.html': page('<h1>Welcome</h1>'),
    }, { path: '/signup.html' });
    await tab.fill('[name=email]', 'jane@example.com');
    await tab.fill('[name=password]', SECRET);
    await tab.click('button');
    await env.waitFor((b) => ofType(b, 'view').some((v) => v.path === '/welcome.html'), 'the next view');
    await env.leave(tab, '/welcome.html');

    const beacons = env.recorder.beacons;
    assert.deepEqual(ofType(beacons, 'event').map((e) => e.event), [{ kind: 'form', form: 'signup' }]);
    assert.equal(ofType(beacons, 'leave')[0].next, '/welcome.html');
    assert.equal(ofType(beacons, 'view')[1].previous, '/signup.html');
    for (const text of [SECRET, 'jane', 'password=']) {
      assert.ok(!env.recorder.bodies.join('\n').includes(text), `"${text}" was sent`);
    }
    await env.allAccepted();
  });
});
