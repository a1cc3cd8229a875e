// Backups while the server writes, and restores:
//   - SQLite: `oatd admin backup` copies the database as of one moment (SQLite's online backup
//     API) with its SHA-256 beside it; `oatd admin restore` puts it into a new file or an empty
//     PostgreSQL database, and refuses a damaged, foreign or newer file, or a target that exists,
//     with one sentence, changing nothing;
//   - PostgreSQL: pg_dump (one snapshot) and pg_restore into a new database, as
//     docs/operations.md says.
// Either way every token acknowledged (201) before the backup began is in the restored
// database, which a new oatd then serves (the tokens list, and a secret signing in at /token).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BACKEND, OATD, Oatd, SQLITE_ONLY, dropPostgresDatabase, makeDataDir, newPostgresDatabase,
  removeDataDir, run, testDatabase, tokenRequest, waitFor,
} from './harness.mjs';
import { runSql } from '../lib/database.mjs';
import { runOk } from '../lib/processes.mjs';
import { seed } from '../lib/world.mjs';

const POSTGRES_ONLY = BACKEND !== 'postgres' && 'pg_dump is for the postgres backend (OAT_TEST_BACKEND=postgres)';
const ORGS = ['biz1', 'biz2', 'biz3'];  // Business plans: room for 300 tokens

function seedOrgs(db) {
  return seed(db, {
    users: ['owner'],
    orgs: Object.fromEntries(ORGS.map((org) => [org, { plan: 'business', members: { owner: 'owner' }, repos: ['app'] }])),
  });
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Runs BACKUP (an async function that takes the copy) while three clients keep creating tokens
 * in ORGS. Resolves {before, all}: the tokens answered 201 before BACKUP was called, and every
 * one answered 201 ({org, id, label, token} each).
 */
async function backupUnderLoad(server, backup) {
  const bearer = await server.signIn('owner');
  const acked = [];
  const refused = [];
  let stopping = false;
  let next = 0;
  const worker = async () => {
    while (!stopping) {
      const n = next++;
      const org = ORGS[n % ORGS.length];
      const label = `load-${n}`;
      const r = await server.post(`/v2/orgs/${org}/access-tokens`, tokenRequest(org, { label }), { bearer });
      if (r.status === 201) acked.push({ org, id: r.body.id, label, token: r.body.token });
      else refused.push(String(r));
    }
  };
  const workers = [worker(), worker(), worker()];
  let before;
  try {
    await waitFor(() => acked.length >= 30 || refused.length > 0, '30 tokens created');
    before = acked.slice();
    await backup();
    const count = acked.length;
    await waitFor(() => acked.length >= count + 10 || refused.length > 0, 'writes after the backup');
  } finally {
    stopping = true;
    await Promise.all(workers);
  }
  assert.deepEqual(refused, [], 'every create was accepted');
  return { before, all: acked };
}

/**
 * Asserts that RESTORED (an Oatd) holds every token of BEFORE with its label, and none that was
 * not acknowledged; and that a restored secret signs in. Resolves how many tokens it holds.
 */
async function assertRestored(restored, before, all) {
  const bearer = await restored.signIn('owner');
  const held = new Map();
  for (const org of ORGS) for (const t of await restored.tokens(org, bearer)) held.set(t.id, t.label);
  const missing = before.filter((t) => held.get(t.id) !== t.label);
  assert.deepEqual(missing, [], `${missing.length} of ${before.length} acknowledged tokens are missing`);
  const known = new Set(all.map((t) => t.id));
  assert.deepEqual([...held.keys()].filter((id) => !known.has(id)), [], 'only acknowledged tokens');
  const sample = before.at(-1);
  const grant = await restored.tokenService({
    user: sample.org, secret: sample.token, scopes: [`repository:${sample.org}/app:pull`],
  });
  assert.equal(grant.status, 200, String(grant));
  return held.size;
}

describe('oatd admin backup and restore (SQLite)', { skip: SQLITE_ONLY }, () => {
  let dir;
  let db;
  let server;
  let backupFile;

  before(async () => {
    dir = makeDataDir('backup');
    db = await testDatabase(dir);
    await seedOrgs(db);
    server = await Oatd.start(dir);
    backupFile = join(dir, 'backup.db');
  });

  after(async () => {
    await server?.stop();
    await removeDataDir(dir);
  });

  test('a backup taken while the server writes holds every token acknowledged before it began, and restores into a new database that serves them', async () => {
    let output;
    const { before: acked, all } = await backupUnderLoad(server, async () => {
      output = await run(OATD, ['admin', 'backup', '--db', db, '--out', backupFile]);
    });
    assert.equal(output.code, 0, output.stderr);
    assert.match(output.stdout,
      /^Backed up ".*oat\.db" to ".*backup\.db" \(.*; schema version \d+, 3 organizations, \d+ access tokens\)\.\n/);
    const digest = /SHA-256 ([0-9a-f]{64})/.exec(output.stdout)[1];
    assert.equal(readFileSync(`${backupFile}.sha256`, 'utf8'), `${digest}  backup.db\n`);
    assert.equal(sha256(backupFile), digest);
    assert.match(output.stdout, /The signing key ".*oatd-signing-key\.pem" is not in the backup/);

    const target = join(dir, 'restored.db');
    const restore = await run(OATD, ['admin', 'restore', '--from', backupFile, '--db', target]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stderr, /the checksum in ".*backup\.db\.sha256" matches/);
    assert.match(restore.stdout, /^Restored ".*backup\.db" into ".*restored\.db" \(schema version \d+, 3 organizations, \d+ access tokens\)\.\n$/);

    const restored = await Oatd.start(dir, { db: target });
    try {
      const held = await assertRestored(restored, acked, all);
      assert.ok(held >= acked.length && held < all.length,
        `the copy is one moment between: ${acked.length} <= ${held} < ${all.length}`);
    } finally {
      await restored.stop();
    }
  });

  test('restore refuses a damaged, foreign or newer backup and an existing target with one sentence, and changes nothing', async () => {
    const refused = async (from, target, pattern) => {
      const r = await run(OATD, ['admin', 'restore', '--from', from, '--db', target]);
      assert.equal(r.code, 2, `${from}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /Nothing was restored\.\n$/);
      return r;
    };
    const fresh = join(dir, 'never.db');

    // One byte changed: the checksum says so.
    const flipped = join(dir, 'flipped.db');
    copyFileSync(backupFile, flipped);
    const bytes = readFileSync(flipped);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(flipped, bytes);
    copyFileSync(`${backupFile}.sha256`, `${flipped}.sha256`);
    await refused(flipped, fresh, /"[^"]*flipped\.db" does not match its checksum in "[^"]*flipped\.db\.sha256"/);

    // Cut short, no checksum: the database itself says so.
    const cut = join(dir, 'cut.db');
    copyFileSync(backupFile, cut);
    truncateSync(cut, Math.floor(readFileSync(cut).length / 2));
    await refused(cut, fresh, /"[^"]*cut\.db" is damaged \(integrity check: /);

    // Not a database at all.
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database\n'.repeat(100));
    await refused(text, fresh, /"[^"]*notes\.txt" is not an oatd backup: it is not a SQLite database/);

    // From a newer oatd (a schema version above this build's), its checksum made to match.
    const newer = join(dir, 'newer.db');
    copyFileSync(backupFile, newer);
    await runSql(newer, 'PRAGMA user_version = 999');
    writeFileSync(`${newer}.sha256`, `${sha256(newer)}  newer.db\n`);
    await refused(newer, fresh, /"[^"]*newer\.db" comes from a newer oatd \(schema version 999; this oatd knows up to \d+\): restore it with that oatd or a newer one/);
    assert.equal(existsSync(fresh), false, 'no target was created');

    // Never over an existing database: the running server's stays as it was.
    const before = sha256(db);
    await refused(backupFile, db, /"[^"]*oat\.db" exists already: restore into a new database file/);
    assert.equal(sha256(db), before);
  });

  test('backup refuses to overwrite a file, a PostgreSQL URI, and a missing database', async () => {
    const again = await run(OATD, ['admin', 'backup', '--db', db, '--out', backupFile]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /"[^"]*backup\.db" exists already: back up into a new file\. Nothing was written\./);
    const postgres = await run(OATD, ['admin', 'backup', '--db', 'postgresql://oat@127.0.0.1/oat', '--out', join(dir, 'x.db')]);
    assert.equal(postgres.code, 2);
    assert.match(postgres.stderr, /back up PostgreSQL with pg_dump/);
    const missing = await run(OATD, ['admin', 'backup', '--db', join(dir, 'nope.db'), '--out', join(dir, 'y.db')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /there is no database file "[^"]*nope\.db"/);
    assert.equal(existsSync(join(dir, 'x.db')) || existsSync(join(dir, 'y.db')), false);
  });
});

describe('PostgreSQL: pg_dump under load, and a SQLite backup restored into PostgreSQL', { skip: POSTGRES_ONLY }, () => {
  let dir;
  let server;
  const databases = [];

  before(async () => {
    dir = makeDataDir('backup-pg');
    await seedOrgs(await testDatabase(dir));
    server = await Oatd.start(dir);
  });

  after(async () => {
    await server?.stop();
    for (const uri of databases) await dropPostgresDatabase(uri).catch(() => {});
    await removeDataDir(dir);
  });

  test('pg_dump taken while the server writes, restored with pg_restore into a new database, holds every acknowledged token', async () => {
    const dump = join(dir, 'oat.dump');
    const { before: acked, all } = await backupUnderLoad(server, async () => {
      await runOk('pg_dump', ['--format=custom', '--file', dump, server.db], { timeout: 60_000 });
    });
    const target = await newPostgresDatabase();
    databases.push(target);
    await runOk('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', target, dump], { timeout: 60_000 });
    const restored = await Oatd.start(dir, { db: target });
    try {
      const held = await assertRestored(restored, acked, all);
      assert.ok(held >= acked.length && held < all.length, `${acked.length} <= ${held} < ${all.length}`);
    } finally {
      await restored.stop();
    }
  });

  test('oatd admin restore puts a SQLite backup into an empty PostgreSQL database, and refuses one that is not empty', async () => {
    const file = join(dir, 'small.db');
    await seedOrgs(file);
    const backupFile = join(dir, 'small-backup.db');
    await runOk(OATD, ['admin', 'backup', '--db', file, '--out', backupFile]);
    const target = await newPostgresDatabase();
    databases.push(target);
    const r = await run(OATD, ['admin', 'restore', '--from', backupFile, '--db', target], { timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Restored "[^"]*small-backup\.db" into "postgresql:/);
    const restored = await Oatd.start(dir, { db: target });
    try {
      await restored.signIn('owner');
    } finally {
      await restored.stop();
    }
    const again = await run(OATD, ['admin', 'restore', '--from', backupFile, '--db', target], { timeout: 60_000 });
    assert.equal(again.code, 2, again.stdout + again.stderr);
  });
});
