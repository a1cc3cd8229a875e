// oatd over HTTPS (--tls-cert, --tls-key): TLS 1.2 and 1.3 only, forward-secret AEAD ciphers
// only, keep-alive as over HTTP, the certificate read again on SIGHUP without dropping the
// connections that are open, and a certificate or key that cannot serve refused at start with
// one sentence. The certificates come from a throwaway authority (tests/lib/tls.mjs).
//
// HTTPS does not depend on the database, so this file runs once (under sqlite).
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import {
  BACKEND, OATD, Oatd, makeDataDir, rawExchange, removeDataDir, run, seedWorld, testDatabase, waitFor,
} from './harness.mjs';
import { issueServerCertificate, makeCertificateAuthority } from '../lib/tls.mjs';

const ONCE = BACKEND === 'postgres' && 'HTTPS is the same on either database (runs under sqlite)';

/** A TLS handshake with OPTIONS; resolves {protocol, cipher, serial} or {error: code}. */
function handshake(port, options) {
  return new Promise((resolvePromise) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      const result = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        serial: socket.getPeerCertificate().serialNumber,
      };
      socket.end();
      resolvePromise(result);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.on('error', (e) => resolvePromise({ error: e.code ?? e.message }));
  });
}

/** GET PATH through AGENT (trusting CA); resolves {status, serial, reused, body}. */
function get(port, path, ca, agent) {
  return new Promise((resolvePromise, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, ca, agent }, (res) => {
      const serial = res.socket.getPeerCertificate().serialNumber;  // before the agent takes the socket back
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolvePromise({
        status: res.statusCode,
        serial,
        reused: req.reusedSocket,
        body,
      }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: no answer`)));
    req.on('error', reject);
  });
}

describe('HTTPS', { skip: ONCE }, () => {
  let dir;
  let ca;
  let first;   // the certificate oatd starts with
  let second;  // the one SIGHUP brings in
  let served;  // the files oatd was given: first's, later overwritten with second's
  let server;

  before(async () => {
    dir = makeDataDir('tls');
    await seedWorld(await testDatabase(dir));
    ca = await makeCertificateAuthority(dir);
    first = await issueServerCertificate(ca, dir, 'first');
    second = await issueServerCertificate(ca, dir, 'second');
    served = { certFile: join(dir, 'served.pem'), keyFile: join(dir, 'served.key') };
    copyFileSync(first.certFile, served.certFile);
    copyFileSync(first.keyFile, served.keyFile);
    server = await Oatd.start(dir, { tls: { ...served, ca: ca.pem } });
  });

  after(async () => {
    await server?.stop();
    await removeDataDir(dir);
  });

  test('the API answers over HTTPS, and the listening line says so', async () => {
    assert.match(server.stderr, /"msg":"listening"[^\n]*"scheme":"https"/);
    const health = await server.get('/healthz');
    assert.equal(health.status, 200, String(health));
    const bearer = await server.signIn('owner');
    const list = await server.get('/v2/orgs/acme/access-tokens', { bearer });
    assert.equal(list.status, 200, String(list));
  });

  test("the console's session cookie is Secure over HTTPS", async () => {
    const r = await server.post('/v2/auth/token', { identifier: 'owner', secret: 'owner-pass-phrase', refresh: true },
      { headers: { 'x-oat-console': '1', origin: server.url } });
    assert.equal(r.status, 200, String(r));
    const cookie = [r.headers['set-cookie']].flat().join('\n');
    assert.match(cookie, /^oat_session=[^;]+;.*; Secure/m, cookie);
  });

  test('TLS 1.2 and 1.3 shake hands with forward-secret AEAD ciphers; older protocols and weak ciphers are refused by the server', async () => {
    const tls13 = await handshake(server.port, { ca: ca.pem });
    assert.equal(tls13.protocol, 'TLSv1.3', JSON.stringify(tls13));
    const tls12 = await handshake(server.port, { ca: ca.pem, maxVersion: 'TLSv1.2' });
    assert.equal(tls12.protocol, 'TLSv1.2', JSON.stringify(tls12));
    assert.match(tls12.cipher, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
    // The client allows these (SECLEVEL=0); the refusal is the server's alert.
    const old = await handshake(server.port, {
      ca: ca.pem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0',
    });
    assert.equal(old.error, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', JSON.stringify(old));
    for (const cipher of ['AES128-SHA256', 'AES256-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES128-SHA']) {
      const weak = await handshake(server.port, { ca: ca.pem, maxVersion: 'TLSv1.2', ciphers: `${cipher}:@SECLEVEL=0` });
      assert.equal(weak.error, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', `${cipher}: ${JSON.stringify(weak)}`);
    }
  });

  test('plain HTTP on the HTTPS port gets no answer', async () => {
    const answer = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.doesNotMatch(answer, /^HTTP\/1\.1 200/);
    assert.doesNotMatch(answer, /"status":"ok"/);
    assert.equal((await server.get('/healthz')).status, 200);  // and the server is fine
  });

  test('keep-alive: several requests on one TLS connection', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (let i = 0; i < 3; ++i) answers.push(await get(server.port, '/healthz', ca.pem, agent));
      assert.deepEqual(answers.map((a) => [a.status, a.reused]), [[200, false], [200, true], [200, true]]);
    } finally {
      agent.destroy();
    }
  });

  test('SIGHUP brings in a new certificate for new connections, keeps open ones, and keeps the old one when the new files are bad', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await get(server.port, '/healthz', ca.pem, agent);
      assert.equal(before.serial, first.serial);

      copyFileSync(second.certFile, served.certFile);
      copyFileSync(second.keyFile, served.keyFile);
      const reloads = server.stderr.split('reloaded the TLS certificate').length;
      server.child.kill('SIGHUP');
      await waitFor(() => server.stderr.split('reloaded the TLS certificate').length > reloads,
        'oatd to log the reload');

      const open = await get(server.port, '/healthz', ca.pem, agent);
      assert.deepEqual([open.status, open.reused, open.serial], [200, true, first.serial],
        'the open connection goes on with the certificate it shook hands with');
      const fresh = await get(server.port, '/healthz', ca.pem, false);
      assert.deepEqual([fresh.status, fresh.serial], [200, second.serial]);

      writeFileSync(served.certFile, 'not a certificate\n');
      server.child.kill('SIGHUP');
      await waitFor(() => /kept the TLS certificate in use/.test(server.stderr), 'oatd to log the failed reload');
      const still = await get(server.port, '/healthz', ca.pem, false);
      assert.deepEqual([still.status, still.serial], [200, second.serial]);
      assert.ok(server.running, 'a bad file on SIGHUP does not stop the server');
    } finally {
      copyFileSync(second.certFile, served.certFile);
      agent.destroy();
    }
  });

  test('a certificate and key that cannot serve refuse the start with one sentence', async () => {
    const db = await testDatabase(dir);
    const serve = (...args) => run(OATD, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...args]);

    const mismatched = await serve('--tls-cert', first.certFile, '--tls-key', second.keyFile);
    assert.notEqual(mismatched.code, 0);
    assert.match(mismatched.stderr, /the TLS key "[^"]*second\.key" does not belong to the certificate "[^"]*first\.pem"/);
    assert.doesNotMatch(mismatched.stderr, /"msg":"listening"/);

    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'hello\n');
    const notPem = await serve('--tls-cert', garbage, '--tls-key', first.keyFile);
    assert.notEqual(notPem.code, 0);
    assert.match(notPem.stderr, /the TLS certificate "[^"]*garbage\.pem" is not a PEM certificate chain/);

    const half = await serve('--tls-cert', first.certFile);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /tls-cert and tls-key go together/);
  });
});
