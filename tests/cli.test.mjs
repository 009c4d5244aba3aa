// The command-line admin (crates/cli) against a real edge: it creates, shows, changes, rotates
// and deletes a site through the admin API, and reports the edge's errors with exit status 1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { pages, REPO_ROOT } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'target/debug/tacit-cli');

describe('tacit-cli', () => {
  const env = useEdge();
  const cli = async (...args) => {
    try {
      const { stdout } = await run(CLI, args, {
        env: { ...process.env, TACIT_EDGE: env.edge.url, TACIT_ADMIN_TOKEN: env.edge.adminToken },
      });
      return { status: 0, out: stdout ? JSON.parse(stdout) : null };
    } catch (err) {
      return { status: err.code, err: err.stderr };
    }
  };

  before(async () => {
    await run('cargo', ['build', '-q', '-p', 'tacit-cli'], { cwd: REPO_ROOT });
  });

  test('creates a site with settings and prints its tokens once', async () => {
    const { status, out } = await cli('site', 'create', 'from-cli', '--hostname', 'cli.example', '--k', '10');
    assert.equal(status, 0);
    assert.match(out.viewer_token, /^[0-9a-f]{64}$/);
    assert.deepEqual([out.settings.hostnames, out.settings.k], [['cli.example'], 10]);
    assert.equal((await pages(env.edge.url, 'from-cli', out.viewer_token)).totals.views, 0);
  });

  test('shows and changes the settings, and the change log records it', async () => {
    const funnels = 'funnels=[{"name": "Signup", "steps": ["/pricing", "goal:Signed up"]}]';
    const set = await cli('site', 'set', 'from-cli', 'retention_days=30', 'hostnames=a.example,b.example', funnels);
    assert.equal(set.status, 0);
    assert.deepEqual(set.out.settings.hostnames, ['a.example', 'b.example']);
    assert.deepEqual(set.out.settings.funnels.map((f) => [f.name, f.steps]), [['Signup', ['/pricing', 'goal:Signed up']]]);
    const shown = await cli('site', 'show', 'from-cli');
    assert.equal(shown.out.settings.retention_days, 30);
    const changes = await cli('site', 'changes', 'from-cli');
    assert.equal(changes.out.verified, true);
    assert.deepEqual(changes.out.entries.map((e) => e.field), ['site', 'hostnames', 'retention_days', 'funnels']);
  });

  test('reports an invalid setting and an unknown site with exit status 1', async () => {
    const invalid = await cli('site', 'set', 'from-cli', 'k=0');
    assert.equal(invalid.status, 1);
    assert.match(invalid.err, /answered 400: 'k'/);
    const unknown = await cli('site', 'show', 'nosuchsite');
    assert.equal(unknown.status, 1);
    assert.match(unknown.err, /answered 404/);
  });

  test('rotates the tokens and deletes the site', async () => {
    const rotated = await cli('site', 'rotate-tokens', 'from-cli');
    assert.equal(rotated.status, 0);
    assert.match(rotated.out.auditor_token, /^[0-9a-f]{64}$/);
    const status = await cli('site', 'status', 'from-cli');
    assert.equal(status.out.site, 'from-cli');
    const deleted = await cli('site', 'delete', 'from-cli');
    assert.equal(deleted.status, 0, deleted.err);
    assert.equal((await cli('site', 'show', 'from-cli')).status, 1);
  });
});
