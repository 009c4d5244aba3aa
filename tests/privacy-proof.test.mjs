// Proof that no raw personal data is stored (DESIGN.md, "Privacy model"; issue 7): beacons from
// known IP addresses (as Cloudflare passes them, in `CF-Connecting-IP`) and user agents, over
// two days; then the clock moves on until both days' salts are older than 48 hours, and every
// file under the edge's persistence folder and every line it logged is searched for each IP
// address, each user agent, each visitor hash (as raw bytes and as text) and each expired salt.
// None may be found. The salts are read out of the shard's SQLite file (its write-ahead log included) while they
// still exist, the way an auditor with disk access would, and the hashes recomputed from them.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { apiRequest, pages, postBeacon, randomToken, todayUtc } from './support/edge.mjs';
import { useEdge } from './support/fixtures.mjs';
import { openSqliteCopy } from './support/sqlite-file.mjs';
import { hashForms, unsealSalt, visitorHash } from './support/visitor-hash.mjs';

const DAY_MS = 86_400_000;
const SITE = 'proof';
const dayAfter = (day, days) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysSinceEpoch = (day) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** Every file under `dir`, read whole. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
  return Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file) })));
}

/**
 * The salts the shard of `site` holds, by day number, read from its SQLite file and opened with
 * the `SALT_KEY` secret (they are stored sealed, see crates/aggregate/src/visitor.rs). A Durable
 * Object's file is named by its id, which is also what each salt is sealed for.
 */
async function storedSalts(persistDir, site, saltKey) {
  const salts = new Map();
  for (const { file } of await filesUnder(persistDir)) {
    if (!file.endsWith('.sqlite')) continue;
    const db = await openSqliteCopy(file);
    try {
      const isShard = db.exec("SELECT 1 FROM sqlite_master WHERE name = 'site_config'").length > 0;
      const owner = isShard ? db.exec('SELECT id FROM site_config')[0]?.values[0]?.[0] : undefined;
      if (owner !== site) continue;
      const shard = path.basename(file, '.sqlite');
      for (const [day, sealed] of db.exec('SELECT day, salt FROM salts')[0]?.values ?? []) {
        salts.set(day, { sealed: Buffer.from(sealed), salt: unsealSalt(Buffer.from(sealed), saltKey, shard, day) });
      }
    } finally {
      db.close();
    }
  }
  return salts;
}

describe('proof that no raw personal data is stored', () => {
  test('the recomputed hash and sealing agree with the values pinned in the Rust tests', () => {
    const salt = Buffer.from('0123456789abcdef');
    assert.equal(visitorHash(salt, 'demo', '203.0.113.9', 'Mozilla/5.0'), 17_795_668_845_693_522_449n);
    const sealed = Buffer.from('6e6f6e63652d7477656c7665bc595aa369596d428ab483793339dea5652be152f3a30cd96e487d045343445b', 'hex');
    assert.deepEqual(unsealSalt(sealed, 'a long random secret', 'shard-a', 20415), salt);
  });

  // Only `localhost` is allowed, so that no test address is also stored as a hostname.
  const env = useEdge({ site: SITE, settings: { hostnames: ['localhost'] } });

  test('no IP address, user agent, visitor hash or expired salt survives in storage or logs', async () => {
    // Documentation addresses (RFC 5737, RFC 3849) that no other part of the run uses.
    const ips = ['203.0.113.7', '198.51.100.23', '192.0.2.201', '2001:db8::5'];
    const marker = randomToken();
    const userAgents = ips.map((_, i) => `Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36 Proof${i}/${marker}`);
    const visitors = ips.map((ip, i) => ({ ip, userAgent: userAgents[i] }));
    const logs = [];
    const send = async (path) => {
      for (const { ip, userAgent } of visitors) {
        const headers = { 'CF-Connecting-IP': ip, 'User-Agent': userAgent };
        for (const beacon of [
          { path },
          { type: 'leave', path, entry: true, engaged_ms: 15_000, scroll_pct: 60 },
          { type: 'event', path, event: { kind: 'goal', name: 'signup' } },
        ]) {
          const res = await postBeacon(env.edge.url, { site: SITE, ...beacon }, headers);
          assert.equal(res.status, 202, await res.text());
        }
      }
    };
    const restartAt = async (offsetDays) => {
      logs.push(env.edge.output());
      await env.restart({ vars: { TACIT_CLOCK_OFFSET_MS: offsetDays * DAY_MS } });
    };
    const privacy = async () => {
      const res = await apiRequest(env.edge.url, 'GET', `/api/v1/sites/${SITE}/privacy`, { token: env.site.auditor_token });
      assert.equal(res.status, 200);
      return res.json();
    };

    // Day 0 and day 1: four visitors each day, a page view, a leave and a goal each.
    const day0 = todayUtc();
    await send('/day-zero');
    assert.equal((await pages(env.edge.url, SITE, env.site.viewer_token, { from: day0 })).totals.visitors, 4);
    await restartAt(1);
    await send('/day-one');
    const day1 = dayAfter(day0, 1);
    assert.equal((await pages(env.edge.url, SITE, env.site.viewer_token, { from: day1 })).totals.visitors, 4);

    // The salts of both days, read off disk while they exist, give the hashes to look for.
    logs.push(env.edge.output());
    await env.edge.stop();
    const salts = await storedSalts(env.persistDir, SITE, env.edge.saltKey);
    const stored = [day0, day1].map((day) => salts.get(daysSinceEpoch(day)));
    assert.ok(stored.every(Boolean), `both days' salts were stored: ${[...salts.keys()]}`);
    const expired = stored.map(({ salt }) => salt);
    assert.ok(stored.every(({ sealed, salt }) => !sealed.equals(salt)), 'salts are stored sealed');
    const hashes = [day0, day1].flatMap((_, d) => visitors.map(({ ip, userAgent }) => visitorHash(expired[d], SITE, ip, userAgent)));

    // Three days on: the daily maintenance deletes both salts (older than 48 hours), and the
    // auditor sees only today's.
    await restartAt(3);
    const report = await privacy();
    assert.deepEqual(report.salts.days, [dayAfter(day0, 3)]);
    assert.equal(report.salts.within_limit, true);
    // The counts themselves are kept: they are not personal data.
    assert.equal((await pages(env.edge.url, SITE, env.site.viewer_token, { from: day0, to: day1 })).totals.views, 8);
    logs.push(env.edge.output());
    await env.edge.stop();

    const files = await filesUnder(env.persistDir);
    assert.ok(files.some(({ bytes }) => bytes.includes('/day-zero')), 'the scan reads the stored records');
    const secrets = [
      ...ips.map((ip) => ({ what: `IP address ${ip}`, forms: [Buffer.from(ip)] })),
      ...userAgents.map((ua, i) => ({ what: `user agent ${i}`, forms: [Buffer.from(ua), Buffer.from(`Proof${i}/${marker}`)] })),
      ...hashes.map((hash, i) => ({ what: `visitor hash ${i} (${hash.toString(16)})`, forms: hashForms(hash) })),
      ...expired.map((salt, i) => ({ what: `salt of day ${i}`, forms: [salt, Buffer.from(salt.toString('hex')), Buffer.from(salt.toString('base64'))] })),
    ];
    const log = Buffer.from(logs.join('\n'));
    for (const { what, forms } of secrets) {
      for (const form of forms) {
        const holding = files.filter(({ bytes }) => bytes.includes(form)).map(({ file }) => path.relative(env.persistDir, file));
        assert.deepEqual(holding, [], `no file holds ${what} (as ${JSON.stringify(form.toString('latin1'))})`);
        assert.ok(!log.includes(form), `the log does not hold ${what}`);
      }
    }

    // Back on today's clock, for the fixture's teardown.
    await env.restart();
  });
});
