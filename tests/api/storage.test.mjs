// What oatd keeps on disk and writes to its logs:
//   - the data folder (oat.db, oat.db-wal, oat.db-shm, the signing key) never holds a token
//     secret, a password or a refresh token in clear (SQLite only: under postgres the database
//     is not in the folder, so the scans of it are skipped);
//   - a token answered 201 is durable: after kill -9 and a restart it is there and signs in;
//   - the access log (stdout) is one JSON object per line and never carries a secret, a
//     password or an Authorization header value.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import {
  Oatd, SQLITE_ONLY, USERS, makeDataDir, password, readAllFiles, readSigningKey, removeDataDir,
  seedWorld, signingKeyFile, testDatabase, tokenRequest, waitFor,
} from './harness.mjs';

describe('secrets at rest and in the access log', () => {
  let dir;
  let server;
  const secrets = []; // every secret the server handed out or was handed
  const labels = [];
  let ownerBearer;

  before(async () => {
    dir = makeDataDir('api');
    await seedWorld(await testDatabase(dir));
    server = await Oatd.start(dir);

    // Passwords, over both sign-in endpoints.
    const signIn = await server.post('/v2/auth/token', {
      identifier: 'owner', secret: password('owner'), refresh: true,
    });
    assert.equal(signIn.status, 200, String(signIn));
    ownerBearer = signIn.body.access_token;
    const legacy = await server.post('/v2/users/login', { username: 'editor', password: password('editor') });
    assert.equal(legacy.status, 200, String(legacy));
    const refreshed = await server.post('/v2/auth/refresh', { refresh_token: signIn.body.refresh_token });
    assert.equal(refreshed.status, 200, String(refreshed));
    secrets.push(signIn.body.refresh_token, signIn.body.refresh_token.split('.').at(-1));
    secrets.push(ownerBearer, legacy.body.token, refreshed.body.access_token);

    // Tokens: created, used to sign in (which records last use), edited, one deleted.
    for (let i = 0; i < 4; ++i) {
      const label = `disk-scan-label-${i}`;
      const r = await server.post('/v2/orgs/acme/access-tokens', tokenRequest('acme', { label }),
        { bearer: ownerBearer });
      assert.equal(r.status, 201, String(r));
      labels.push(label);
      secrets.push(r.body.token);
      const oatBearer = await server.signIn('acme', r.body.token);
      secrets.push(oatBearer);
      // An OAT bearer sent where it is refused still goes through the log.
      await server.get('/v2/orgs/acme/access-tokens', { bearer: oatBearer });
      await server.patch(`/v2/orgs/acme/access-tokens/${r.body.id}`, { description: 'edited' },
        { bearer: ownerBearer });
      if (i === 3) {
        await server.delete(`/v2/orgs/acme/access-tokens/${r.body.id}`, { bearer: ownerBearer });
      }
    }
    // A mistyped secret and a wrong password: failures must not be written down either.
    const real = secrets.find((x) => x.startsWith('dckr_oat_'));
    const mistyped = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;
    await server.post('/v2/auth/token', { identifier: 'acme', secret: mistyped }, { from: '127.0.0.9' });
    await server.post('/v2/auth/token', { identifier: 'member', secret: 'wrong-password-123' }, { from: '127.0.0.10' });
    secrets.push(mistyped, 'wrong-password-123');
    // A secret where a careless client might put it: the query string.
    await server.get(`/v2/orgs/acme/access-tokens?page=1&token=${real}`, { bearer: ownerBearer });
  });

  after(async () => {
    await server?.stop();
    await removeDataDir(dir);
  });

  const passwords = () => USERS.map(password);
  const tokenSecrets = () => secrets.filter((s) => s.startsWith('dckr_oat_'));

  test('the data folder holds the database files and the signing key', { skip: SQLITE_ONLY }, () => {
    const names = readAllFiles(dir).map((f) => f.name);
    for (const name of ['oat.db', 'oat.db-wal', 'oat.db-shm', 'oatd-signing-key.pem']) {
      assert.ok(names.includes(name), `${name} in ${names}`);
    }
  });

  test('control: the scan finds what the database does store (every token label)', { skip: SQLITE_ONLY }, () => {
    const all = Buffer.concat(readAllFiles(dir).map((f) => f.bytes));
    for (const label of labels) assert.ok(all.includes(label), `${label} is on disk`);
  });

  test('no file of the data folder contains a token secret, or a token secret without its prefix', { skip: SQLITE_ONLY }, () => {
    for (const { name, bytes } of readAllFiles(dir)) {
      for (const secret of tokenSecrets()) {
        assert.ok(!bytes.includes(secret), `${name} contains a token secret`);
        assert.ok(!bytes.includes(secret.slice('dckr_oat_'.length)), `${name} contains a token body`);
      }
    }
  });

  test('no file of the data folder contains a password, a refresh token or a bearer', { skip: SQLITE_ONLY }, () => {
    for (const { name, bytes } of readAllFiles(dir)) {
      for (const secret of [...passwords(), ...secrets.filter((s) => !s.startsWith('dckr_oat_'))]) {
        assert.ok(!bytes.includes(secret), `${name} contains ${secret.slice(0, 12)}...`);
      }
    }
  });

  test('the signing key is a PEM private key readable by its owner only (0600)', () => {
    const key = readSigningKey(dir);
    assert.match(key, /^-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    assert.equal(statSync(signingKeyFile(dir)).mode & 0o777, 0o600);
  });

  test('every access-log line is a JSON object describing one request', async () => {
    await waitFor(() => server.logLines().length >= server.requestsSent, 'the access log to catch up');
    const lines = server.logLines();
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.ok(entry && typeof entry === 'object' && !Array.isArray(entry), line);
      assert.equal(typeof entry.method, 'string', line);
      assert.equal(typeof entry.path, 'string', line);
      assert.ok(Number.isInteger(entry.status), line);
    }
    assert.ok(lines.some((l) => JSON.parse(l).path === '/v2/auth/token'), 'sign-ins are logged');
  });

  test('the access log never contains a secret, a password, a bearer or a refresh token', async () => {
    await waitFor(() => server.logLines().length >= server.requestsSent, 'the access log to catch up');
    const log = server.stdout;
    for (const secret of [...secrets, ...passwords()]) {
      assert.ok(!log.includes(secret), `the log contains ${secret.slice(0, 12)}...`);
    }
    assert.doesNotMatch(log, /dckr_oat_/);
    assert.doesNotMatch(log, /Bearer/i);
  });
});

describe('durability', () => {
  let dir;
  let server;

  before(async () => {
    dir = makeDataDir('api');
    await seedWorld(await testDatabase(dir));
    server = await Oatd.start(dir);
  });

  after(async () => {
    await server?.stop();
    await removeDataDir(dir);
  });

  test('a token answered 201 survives kill -9: after a restart GET, the list and its sign-in work', async () => {
    const bearer = await server.signIn('owner');
    const r = await server.post('/v2/orgs/acme/access-tokens', tokenRequest('acme', { label: 'durable' }), { bearer });
    assert.equal(r.status, 201, String(r));
    await server.kill9();
    assert.equal(server.child.signalCode, 'SIGKILL');

    server = await Oatd.start(dir);
    const owner = await server.signIn('owner');
    const got = await server.get(`/v2/orgs/acme/access-tokens/${r.body.id}`, { bearer: owner });
    assert.equal(got.status, 200, String(got));
    const { token, ...object } = r.body;
    assert.deepEqual(got.body, object);
    const listed = await server.get('/v2/orgs/acme/access-tokens', { bearer: owner });
    assert.ok(listed.body.results.some((t) => t.id === r.body.id), 'listed after the restart');
    await server.signIn('acme', token);
  });

  test('a registry sign-in right before a clean stop keeps its "last used" (the batch is flushed on SIGTERM)', async () => {
    const owner = await server.signIn('owner');
    const created = await server.post('/v2/orgs/acme/access-tokens',
                                       tokenRequest('acme', { label: 'used-then-stopped' }), { bearer: owner });
    assert.equal(created.status, 201, String(created));
    const basic = Buffer.from(`acme:${created.body.token}`).toString('base64');
    const signin = await fetch(`${server.url}/token?service=oat-registry&scope=repository:acme/app:pull`,
                               { headers: { Authorization: `Basic ${basic}` } });
    assert.equal(signin.status, 200);
    await server.stop();  // SIGTERM at once, well inside the one-second batching period

    server = await Oatd.start(dir);
    const bearer = await server.signIn('owner');
    const got = await server.get(`/v2/orgs/acme/access-tokens/${created.body.id}`, { bearer });
    assert.equal(got.status, 200, String(got));
    assert.notEqual(got.body.last_used_at, null, 'last_used_at was lost');
    assert.deepEqual(got.body.last_used_addresses, ['127.0.0.1']);
  });

  test('the signing key is kept across restarts: a bearer from before a restart still works', async () => {
    const bearer = await server.signIn('member');
    await server.stop();
    server = await Oatd.start(dir);
    const me = await server.get('/v2/user', { bearer });
    assert.equal(me.status, 200, String(me));
  });
});
