// oatd admin migrate-db --from SRC --to DST: everything moves from a SQLite file to an empty
// PostgreSQL database and back, and the tokens keep working with the same grants; a target that
// is not empty, or the same database twice, is refused with one sentence and changes nothing.
// Needs a PostgreSQL cluster ($OAT_TEST_POSTGRES) whichever backend the suite runs on, so it runs
// once, in the SQLite entry.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  BACKEND, Oatd, decodeJwt, dropPostgresDatabase, makeDataDir, newPostgresDatabase,
  removeDataDir, run, OATD, seedWorld,
} from './harness.mjs';

const PULL = 'repository:acme/app:pull';

describe('oatd admin migrate-db', { skip: BACKEND === 'postgres' && 'runs once, in the sqlite entry' }, () => {
  let dir;
  let sqlite;      // the source file
  let postgres;    // the empty target database, then the source of the way back
  let back;        // the SQLite file of the way back
  let active;      // {id, token}: pull on acme/app
  let inactive;    // deactivated
  let before_;     // what the source server showed: tokens, audit total, the grant
  let bearer;      // a management bearer from the source server

  const migrate = (from, to) => run(OATD, ['admin', 'migrate-db', '--from', from, '--to', to]);
  const grantOf = (reply) => decodeJwt(reply.body.token).payload.access;

  before(async () => {
    dir = makeDataDir('migrate');
    sqlite = join(dir, 'oat.db');
    back = join(dir, 'back.db');
    await seedWorld(sqlite);
    const server = await Oatd.start(dir, { db: sqlite });
    try {
      bearer = await server.signIn('owner');
      active = await server.createToken('acme', bearer, { label: 'ci' });
      inactive = await server.createToken('acme', bearer, { label: 'old' });
      const off = await server.patch(`/v2/orgs/acme/access-tokens/${inactive.id}`, { is_active: false }, { bearer });
      assert.equal(off.status, 200, String(off));
      const granted = await server.tokenService({ user: 'acme', secret: active.token, scopes: [PULL] });
      assert.equal(granted.status, 200, String(granted));
      // "last used" is written within a second of the sign-in; wait until the list shows it.
      for (let i = 0; i < 50; ++i) {
        const t = await server.token('acme', active.id, bearer);
        if (t.body.last_used_at) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      before_ = { ...(await server.snapshot('acme', bearer)), grant: grantOf(granted) };
    } finally {
      await server.stop();
    }
    postgres = await newPostgresDatabase();
  });

  after(async () => {
    if (postgres) await dropPostgresDatabase(postgres);
    await removeDataDir(dir);
  });

  test('SQLite to an empty PostgreSQL database: a summary, and every table counted', async () => {
    const r = await migrate(sqlite, postgres);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Copied \d+ rows in \d+ tables: .*8 users, 4 organizations, .*2 tokens, .*audit_events.*\. Each table's count was checked on the target\.\n$/);
    assert.match(r.stderr, /tokens: 2 rows/);
  });

  test('on the new database the tokens keep their grants, states, history and "last used"', async () => {
    const server = await Oatd.start(dir, { db: postgres });
    try {
      const granted = await server.tokenService({ user: 'acme', secret: active.token, scopes: [PULL] });
      assert.equal(granted.status, 200, String(granted));
      assert.deepEqual(grantOf(granted), before_.grant);
      const refused = await server.tokenService({ user: 'acme', secret: inactive.token, scopes: [PULL] });
      assert.equal(refused.status, 401, String(refused));
      // The bearer from before still works (same key), and shows the same tokens and audit log
      // (the two sign-ins just made add to the log: one success is not audited, one failure is).
      const after_ = await server.snapshot('acme', bearer);
      assert.deepEqual(after_.tokens.map((t) => [t.id, t.label, t.is_active, t.created_at]),
        before_.tokens.map((t) => [t.id, t.label, t.is_active, t.created_at]));
      assert.ok(after_.tokens.find((t) => t.id === active.id).last_used_at, 'last used kept');
      assert.equal(after_.auditTotal, before_.auditTotal + 1);
      // New rows get new ids after the copied ones: a new token, a new user's sign-in.
      const created = await server.createToken('acme', bearer, { label: 'after-move' });
      assert.equal((await server.tokens('acme', bearer)).length, 3, String(created.id));
    } finally {
      await server.stop();
    }
  });

  test('a target that is not empty is refused in one sentence, and nothing changes', async () => {
    const r = await migrate(sqlite, postgres);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /The target database is not empty \(it holds .*tokens.*\); migrate-db copies into an empty database only, and changed nothing\./);
    const server = await Oatd.start(dir, { db: postgres });
    try {
      assert.equal((await server.tokens('acme', bearer)).length, 3);
    } finally {
      await server.stop();
    }
  });

  test('the same database as source and target is refused', async () => {
    const r = await migrate(sqlite, sqlite);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--from and --to name the same database; nothing was changed\./);
  });

  test('the way back: PostgreSQL to a new SQLite file, and the tokens work there', async () => {
    const r = await migrate(postgres, back);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 tokens/);
    const server = await Oatd.start(dir, { db: back });
    try {
      const granted = await server.tokenService({ user: 'acme', secret: active.token, scopes: [PULL] });
      assert.equal(granted.status, 200, String(granted));
      assert.deepEqual(grantOf(granted), before_.grant);
      assert.equal((await server.tokens('acme', bearer)).length, 3);
    } finally {
      await server.stop();
    }
  });

  test('an unreachable source is one sentence naming it', async () => {
    const missing = postgres.replace(/host=[^&]*/, `host=${join(dir, 'no-such-socket-dir')}`);
    const r = await migrate(missing, join(dir, 'unused.db'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^oatd: cannot open database "postgresql:\/\/[^"]*": connection to server on socket .* failed: No such file or directory\n$/);
  });
});
