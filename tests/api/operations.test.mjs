// Running oatd as a service: `oatd --version`, the configuration file (`serve --config`,
// `oatd config check`, flags and OAT_* variables over the file), the access log reopened on
// SIGHUP (logrotate), and the build on /metrics.
//
// None of this depends on the database, so this file runs once (under sqlite).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import {
  BACKEND, OATD, Oatd, makeDataDir, removeDataDir, run, seedWorld, testDatabase, waitFor,
} from './harness.mjs';
import { listeningPort } from '../lib/oatd.mjs';
import { start, stop } from '../lib/processes.mjs';

const ONCE = BACKEND === 'postgres' && 'the same on either database (runs under sqlite)';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `oatd serve` with ARGS and ENV added; resolves {child, port, stderr()} once it listens. */
async function serve(args, env = {}) {
  const child = start(OATD, ['serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OAT_DB: '', OAT_LISTEN: '', OAT_KEY: '', ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  child.stdout.resume();
  const port = await listeningPort(child, () => stderr);
  return { child, port, stderr: () => stderr };
}

describe('oatd --version', { skip: ONCE }, () => {
  test('prints the version and the commit it was built from', async () => {
    const r = await run(OATD, ['--version']);
    assert.equal(r.code, 0, r.stderr);
    const m = /^oatd (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$/.exec(r.stdout);
    assert.ok(m, JSON.stringify(r.stdout));
    const cmake = readFileSync(join(ROOT, 'CMakeLists.txt'), 'utf8');
    assert.equal(m[1], /project\(oat VERSION (\d+\.\d+\.\d+)/.exec(cmake)[1]);
    const git = await run('git', ['-C', ROOT, 'rev-parse', '--short=12', 'HEAD']);
    if (git.code === 0) assert.equal(m[2].replace(/-dirty$/, ''), git.stdout.trim());
  });
});

describe('the configuration file', { skip: ONCE }, () => {
  let dir;
  let db;
  const children = [];

  before(async () => {
    dir = makeDataDir('config');
    db = await testDatabase(dir);
    await seedWorld(db);
  });

  after(async () => {
    await Promise.all(children.map((c) => stop(c)));
    await removeDataDir(dir);
  });

  const write = (name, text) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test('oatd config check reports every unknown key and bad value with its line, and a syntax error with its place', async () => {
    const file = write('bad.toml', [
      '# a comment',
      `db = "${db}"`,
      'lisen = "127.0.0.1:8080"',
      'threads = "four"',
      'bearer-lifetime = 999999',
      'cors-origin = ["https://a.example", 3]',
      'listen = "nowhere"',
      'tls-cert = "/nonexistent/cert.pem"',
      'test-only-clock-offset = 86400',
      '[tls]',
      'key = "x"',
    ].join('\n'));
    const r = await run(OATD, ['config', 'check', file]);
    assert.equal(r.code, 2);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/^.*?bad\.toml:(\d+):\d+: ([^ :]+).*$/, '$1 $2')), [
      '3 unknown', '4 threads', '5 bearer-lifetime', '6 cors-origin', '7 listen', '8 tls-cert', '9 unknown',
      '10 [tls]',
      lines.at(-1),
    ], r.stdout);
    assert.match(lines[0], /unknown key "lisen"/);
    assert.match(lines[1], /threads must be a whole number/);
    assert.match(lines[2], /not in range 1 to 86400/);
    assert.match(lines[4], /listen address must be host:port/);
    assert.match(lines[6], /unknown key "test-only-clock-offset"/);
    assert.match(lines.at(-1), /bad\.toml: 8 problems$/);

    const syntax = await run(OATD, ['config', 'check', write('syntax.toml', 'db = "x"\nlisten = "oops\n')]);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stdout, /syntax\.toml:2:\d+: not valid TOML/);

    const missing = await run(OATD, ['config', 'check', join(dir, 'nope.toml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /nope\.toml: cannot read the configuration file/);
  });

  test('serve refuses to start on a file with a problem, says where, and creates nothing', async () => {
    const fresh = join(dir, 'never.db');
    const file = write('refused.toml', `db = "${fresh}"\nlisten = "127.0.0.1:0"\naccess-logg = "-"\n`);
    // The flag would override listen, but a mistake in the file refuses the start anyway.
    const r = await run(OATD, ['serve', '--config', file, '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /refused\.toml:3:1: unknown key "access-logg"/);
    assert.match(r.stderr, /not starting: .*refused\.toml has 1 problem/);
    assert.equal(existsSync(fresh), false, 'no database was created');
  });

  test('the file gives every option; flags and OAT_* variables win over it, flags over variables', async () => {
    const accessLog = join(dir, 'from-file.log');
    const file = write('serve.toml', [
      `db = "${db}"`,
      'listen = "127.0.0.1:1"',          // overridden below, or nothing could listen
      `access-log = "${accessLog}"`,
      'bearer-lifetime = 123',
      'cors-origin = ["https://one.example", "https://two.example"]',
      '',
    ].join('\n'));

    // The file's listen is overridden by OAT_LISTEN; the rest comes from the file.
    const a = await serve(['--config', file], { OAT_LISTEN: '127.0.0.1:0' });
    children.push(a.child);
    const signIn = await fetch(`http://127.0.0.1:${a.port}/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://two.example' },
      body: JSON.stringify({ identifier: 'owner', secret: 'owner-pass-phrase' }),
    });
    assert.equal(signIn.status, 200);
    assert.equal(signIn.headers.get('access-control-allow-origin'), 'https://two.example');
    const { access_token: bearer } = await signIn.json();
    const claims = JSON.parse(Buffer.from(bearer.split('.')[1], 'base64url'));
    assert.equal(claims.exp - claims.iat, 123, 'bearer-lifetime from the file');
    await waitFor(() => existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('/v2/auth/token'),
      'the access log named in the file');
    await stop(a.child);

    // A flag beats the variable, which beats the file.
    const b = await serve(['--config', file, '--listen', '127.0.0.1:0', '--bearer-lifetime', '77'],
      { OAT_LISTEN: '127.0.0.1:1' });
    children.push(b.child);
    const r = await fetch(`http://127.0.0.1:${b.port}/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'owner', secret: 'owner-pass-phrase' }),
    });
    const c2 = JSON.parse(Buffer.from((await r.json()).access_token.split('.')[1], 'base64url'));
    assert.equal(c2.exp - c2.iat, 77, 'the flag over the file');
    await stop(b.child);
  });

  test('OAT_DB and OAT_LISTEN alone start a server (as a container would)', async () => {
    const c = await serve([], { OAT_DB: db, OAT_LISTEN: '127.0.0.1:0' });
    children.push(c.child);
    const health = await fetch(`http://127.0.0.1:${c.port}/healthz`);
    assert.equal(health.status, 200);
    await stop(c.child);
    const none = await run(OATD, ['serve', '--listen', '127.0.0.1:0'], {
      env: { ...process.env, OAT_DB: '', OAT_LISTEN: '' },
    });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /a database is required: --db \(or db in the configuration file, or OAT_DB\)/);
  });
});

describe('SIGHUP and /metrics', { skip: ONCE }, () => {
  let dir;
  let server;
  let accessLog;

  before(async () => {
    dir = makeDataDir('ops');
    await seedWorld(await testDatabase(dir));
    accessLog = join(dir, 'access.log');
    server = await Oatd.start(dir, { args: ['--access-log', accessLog] });
  });

  after(async () => {
    await server?.stop();
    await removeDataDir(dir);
  });

  test('SIGHUP reopens the access log: after logrotate moved it, new lines go to a new file', async () => {
    assert.equal((await server.get('/healthz?before')).status, 200);
    await waitFor(() => existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('/healthz'),
      'the first line');
    renameSync(accessLog, `${accessLog}.1`);
    assert.equal((await server.get('/v2/orgs/acme')).status, 401);
    // Until SIGHUP, oatd still writes to the moved file.
    await waitFor(() => readFileSync(`${accessLog}.1`, 'utf8').includes('/v2/orgs/acme'), 'the moved file');
    server.child.kill('SIGHUP');
    await waitFor(() => /reopened the access log/.test(server.stderr), 'oatd to reopen the log');
    assert.equal((await server.get('/metrics')).status, 200);
    await waitFor(() => existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('/metrics'),
      'the new file to get the next line');
    assert.doesNotMatch(readFileSync(`${accessLog}.1`, 'utf8'), /\/metrics/);
    assert.ok(server.running);
  });

  test('/metrics names the build', async () => {
    const version = (await run(OATD, ['--version'])).stdout;
    const [, release, commit] = /^oatd (\S+) \(commit (\S+)\)/.exec(version);
    const metrics = await server.get('/metrics');
    assert.match(metrics.text, new RegExp(`^oatd_build_info\\{version="${release}",commit="${commit}"\\} 1$`, 'm'));
  });
});
