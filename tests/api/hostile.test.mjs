// What a hostile client, a careless operator and a full disk meet:
//   - a request body whose length cannot be known (a Transfer-Encoding that does not end in
//     chunked, or one not implemented) is refused and the connection closed, so nothing sent
//     after it is answered as a request of its own (request smuggling);
//   - a present but unreadable Authorization header on the registry's /token is a 401, never an
//     anonymous token (which `docker login` reports as success);
//   - a documented field of the wrong JSON type is a 400 naming it;
//   - an over-long request target is 414, over-long headers 431;
//   - a full disk answers 503 with Retry-After, keeps nothing half-done, and writes work again
//     when space returns;
//   - a database oatd cannot keep is named, with the cause, at start.
// The last two are about SQLite's database file and its folder, and skip under postgres.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  OATD, Oatd, SQLITE_ONLY, assertDetailError, assertFieldError, freshClientAddress, password,
  rawExchange, run, seedWorld, tokenRequest, useWorld,
} from './harness.mjs';

const world = useWorld({ signIn: ['owner'] });
const server = () => world.server;

describe('request smuggling through Transfer-Encoding', () => {
  // The reproduction: the body of a refused request is never a request of its own.
  const smuggle = (transferEncoding) =>
    'POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\n' + transferEncoding +
    '\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

  for (const [te, status] of [
    ['Transfer-Encoding: xchunked\r\n', 400],
    ['Transfer-Encoding: chunked, identity\r\n', 400],
    ['Transfer-Encoding: gzip, chunked\r\n', 501],
  ]) {
    test(`${te.trim()} answers ${status}, closes, and the request after it is never answered`, async () => {
      const answer = await rawExchange(server().port, smuggle(te));
      const statuses = [...answer.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
      assert.deepEqual(statuses, [status], answer);
      assert.match(answer, /\r\nConnection: close\r\n/i);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      assert.equal(typeof body.detail, 'string');
      assert.equal(typeof body.message, 'string');
    });
  }

  test('a chunked body still reaches the API', async () => {
    const json = JSON.stringify({ identifier: 'owner', secret: password('owner') });
    const chunked = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
    const answer = await rawExchange(server().port,
      'POST /v2/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`);
    assert.match(answer, /^HTTP\/1\.1 200 /, answer);
  });
});

describe('GET /token with an Authorization header that cannot be read', () => {
  const base64 = (text) => Buffer.from(text).toString('base64');
  for (const [what, value] of [
    ['Basic with text that is not base64', 'Basic !!!'],
    ['Basic of a string without a colon', `Basic ${base64('acme')}`],
    ['Basic with nothing after it', 'Basic '],
    ['another scheme', 'Bearer abc'],
  ]) {
    test(`${what}: 401 in the registry's shape, no token`, async () => {
      const r = await server().get('/token?service=oat-registry&scope=repository:acme/docs:pull',
        { headers: { authorization: value } });
      assert.equal(r.status, 401, String(r));
      assert.equal(r.body.errors?.[0]?.code, 'UNAUTHORIZED', String(r));
      assert.equal(r.body.token, undefined);
      assert.match(r.headers['www-authenticate'] ?? '', /^Basic /);
    });
  }

  test('the OAuth2 POST /token refuses a malformed Basic header the same way', async () => {
    const r = await server().request('POST', '/token', {
      body: 'grant_type=password&service=oat-registry',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic !!!' },
    });
    assert.equal(r.status, 401, String(r));
    assert.equal(r.body.errors?.[0]?.code, 'UNAUTHORIZED');
  });

  test('no Authorization header at all stays the anonymous pull of public repositories', async () => {
    const r = await server().get('/token?service=oat-registry&scope=repository:acme/docs:pull');
    assert.equal(r.status, 200, String(r));
    assert.equal(typeof r.body.token, 'string');
  });
});

describe('names no database can hold: invalid UTF-8, NUL', () => {
  // Bytes SQLite keeps but PostgreSQL refuses (it stores only valid UTF-8, and no NUL): a name
  // made of them matches nothing, on either database, and is a wrong credential, not a 500.
  const secret = `dckr_oat_${'a'.repeat(32)}`;
  test('a Basic username with invalid UTF-8 at GET /token: 401 in the registry\'s shape', async () => {
    const basic = Buffer.concat([Buffer.from('ac'), Buffer.from([0xff]), Buffer.from(`me:${secret}`)]);
    const r = await server().get('/token?service=oat-registry&scope=repository:acme/app:pull',
      { headers: { authorization: `Basic ${basic.toString('base64')}` } });
    assert.equal(r.status, 401, String(r));
    assert.equal(r.body.errors?.[0]?.code, 'UNAUTHORIZED', String(r));
  });

  for (const [what, secretValue] of [['a password', 'not-the-password'], ['an access token', secret]]) {
    test(`a sign-in identifier with a NUL, with ${what}: 401`, async () => {
      const r = await server().request('POST', '/v2/auth/token', {
        body: JSON.stringify({ identifier: 'ow\u0000ner', secret: secretValue }),
        headers: { 'content-type': 'application/json' },
        from: freshClientAddress(),
      });
      assertDetailError(r, 401);
    });
  }

  for (const path of ['/v2/orgs/ac%FFme/access-tokens', '/v2/orgs/acme/access-tokens/ab%00cd']) {
    test(`a path whose name is not text, ${path}: 404 in the API's shape`, async () => {
      const r = await server().get(path, { bearer: world.bearers.owner });
      assertDetailError(r, 404);
    });
  }

  test('a description with a NUL is refused (400 naming the field), and nothing is created', async () => {
    const before = await server().tokens('acme', world.bearers.owner);
    const r = await server().post('/v2/orgs/acme/access-tokens',
      tokenRequest('acme', { description: 'built by\u0000CI' }), { bearer: world.bearers.owner });
    assertFieldError(r, 'description');
    assert.deepEqual(await server().tokens('acme', world.bearers.owner), before);
  });
});

describe('documented fields with the wrong JSON type', () => {
  const signIn = { identifier: 'owner', secret: password('owner') };
  for (const [path, body, field] of [
    ['/v2/auth/token', { ...signIn, refresh: 'yes' }, 'refresh'],
    ['/v2/auth/token', { ...signIn, refresh: 1 }, 'refresh'],
    ['/v2/auth/token', { ...signIn, identifier: 7 }, 'identifier'],
    ['/v2/auth/token', { ...signIn, secret: ['x'] }, 'secret'],
    ['/v2/users/login', { username: 'owner', password: { p: 1 } }, 'password'],
    ['/v2/users/login', { username: true, password: password('owner') }, 'username'],
    ['/v2/auth/refresh', { refresh_token: 12 }, 'refresh_token'],
    ['/v2/auth/logout', { refresh_token: false }, 'refresh_token'],
  ]) {
    test(`POST ${path} with ${JSON.stringify(body[field])} for "${field}" is a 400 naming it`, async () => {
      const messages = assertFieldError(await server().post(path, body), field);
      assert.match(messages.join(' '), /must be/);
    });
  }

  test('a refused sign-in opens no session', async () => {
    const r = await server().post('/v2/auth/token', { ...signIn, refresh: 'yes' });
    assert.equal(r.status, 400);
    assert.equal(r.body.refresh_token, undefined);
    assert.equal(r.body.access_token, undefined);
  });
});

describe('request line and header limits', () => {
  test('a request target over 8 KiB is 414 in the API\'s error shape', async () => {
    const r = await server().get(`/v2/orgs/${'a'.repeat(9000)}/access-tokens`, { bearer: world.bearers.owner });
    const detail = assertDetailError(r, 414);
    assert.match(detail, /URI/);
  });

  test('a target far over every limit is 414 too', async () => {
    const answer = await rawExchange(server().port,
      `GET /v2/orgs/${'a'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 414 /, answer.slice(0, 200));
  });

  test('headers over 16 KiB stay 431', async () => {
    const r = await server().get('/healthz', { headers: { 'x-big': 'y'.repeat(17_000) } });
    assertDetailError(r, 431);
  });

  test('a long target does not use up the headers\' room', async () => {
    const r = await server().get(`/healthz?${'q'.repeat(7000)}`, { headers: { 'x-big': 'y'.repeat(15_000) } });
    assert.equal(r.status, 200, String(r));
  });
});

// The database on a small tmpfs of its own, filled to the last byte. Needs mount(2), which root
// has on this project's machines; elsewhere the test says why it cannot run.
describe('a full disk', { skip: SQLITE_ONLY }, () => {
  let mountPoint;
  let mounted = false;
  let full;
  let bearer;
  const filler = () => join(mountPoint, 'filler');

  before(async () => {
    mountPoint = mkdtempSync(join(tmpdir(), 'oatd-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'pipe' });
      mounted = true;
    } catch (e) {
      return;
    }
    const seeded = mkdtempSync(join(tmpdir(), 'oatd-seed-'));
    await seedWorld(join(seeded, 'oat.db'));
    copyFileSync(join(seeded, 'oat.db'), join(mountPoint, 'oat.db'));
    rmSync(seeded, { recursive: true, force: true });
    full = await Oatd.start(mountPoint);
    bearer = await full.signIn('owner');
    // Fill what is left, so the next write to the database's WAL cannot get a block.
    const fd = openSync(filler(), 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (e) {
      if (e.code !== 'ENOSPC') throw e;
    }
    try {
      for (;;) writeSync(fd, chunk, 0, 512);
    } catch (e) {
      if (e.code !== 'ENOSPC') throw e;
    }
    closeSync(fd);
  });

  after(async () => {
    await full?.stop();
    if (mounted) execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  test('a write answers 503 with Retry-After and changes nothing; it works once space returns', async (t) => {
    if (!mounted) return t.skip('mount -t tmpfs is not permitted here');
    const before = await full.snapshot('acme', bearer);
    const r = await full.post('/v2/orgs/acme/access-tokens', tokenRequest('acme', { label: 'on a full disk' }), { bearer });
    const detail = assertDetailError(r, 503);
    assert.match(detail, /storage is full/i);
    assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
    assert.deepEqual(await full.snapshot('acme', bearer), before, 'nothing half-done');
    assert.match(full.stderr, /"msg":"a request was refused: the storage is full, busy or unreachable"/);

    rmSync(filler());
    const again = await full.post('/v2/orgs/acme/access-tokens', tokenRequest('acme', { label: 'space returned' }), { bearer });
    assert.equal(again.status, 201, String(again));
    const afterwards = await full.snapshot('acme', bearer);
    assert.deepEqual(afterwards.tokens.map((x) => x.label), ['space returned']);
  });
});

describe('a database oatd cannot keep is named at start', { skip: SQLITE_ONLY }, () => {
  let dir;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oatd-start-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // `oatd serve` over DB, run by the command WRAP names (setpriv) if any; it must exit at once.
  const serve = (db, wrap = []) => {
    const [command, ...args] = [...wrap, OATD, 'serve', '--db', db, '--listen', '127.0.0.1:0'];
    return run(command, args);
  };

  test('a --db in a folder that does not exist', async () => {
    const db = join(dir, 'missing', 'oatd.db');
    const r = await serve(db);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(`"${db}"`), r.stderr);
    assert.ok(r.stderr.includes(`the folder "${join(dir, 'missing')}" does not exist`), r.stderr);
  });

  test('a --db whose folder is a file', async () => {
    const file = join(dir, 'plainfile');
    closeSync(openSync(file, 'w'));
    const r = await serve(join(file, 'oatd.db'));
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`"${file}" is not a folder`), r.stderr);
  });

  test('a read-only data folder holding a database', async () => {
    // Root may write anywhere, so the server runs as nobody, as a packaged oatd runs as its user.
    const asRoot = process.getuid() === 0;
    const folder = join(dir, 'readonly');
    mkdirSync(folder);
    await seedWorld(join(folder, 'oatd.db'));
    chmodSync(dir, 0o755);
    chmodSync(join(folder, 'oatd.db'), 0o666);
    chmodSync(folder, 0o555);
    const r = await serve(join(folder, 'oatd.db'),
      asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []);
    chmodSync(folder, 0o755);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`the folder "${folder}" is not writable by user \\S+`), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});
