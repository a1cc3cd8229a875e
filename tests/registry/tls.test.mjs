// The registry's usual flow over HTTPS, as in production: oatd and the registry serve one
// certificate of a throwaway authority (Stack.start({ tls: true })), the registry's token realm
// and notification endpoint are https:// URLs, and skopeo verifies the registry and the realm
// against the authority through a certificate folder holding its ca.crt (what docker's
// /etc/docker/certs.d/HOST:PORT/ca.crt is to the docker client). The registry trusts the
// authority for its notifications through SSL_CERT_FILE.
//
// Every certificate check is real: a folder holding another authority's certificate fails, at
// the registry and, with the registry trusted, at the realm.
//
// HTTPS does not depend on the database, so this file runs once (under sqlite); the flow itself
// runs on both backends in the other files of this folder.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { issueServerCertificate, makeCertificateAuthority } from '../lib/tls.mjs';
import { BACKEND } from '../lib/database.mjs';
import { REFUSED, Stack, certDir, repo, waitFor } from './harness.mjs';

const ONCE = BACKEND === 'postgres' && 'HTTPS is the same on either database (runs under sqlite)';

// What skopeo (Go's crypto/x509) says about a certificate it does not trust.
const UNTRUSTED = /x509: certificate signed by unknown authority/;

describe('the registry flow over HTTPS with certificate verification on', { skip: ONCE }, () => {
  let stack;
  let ci;          // acme/app with scope-image-push; acme/app:v1 pushed with it (before: a
                   // push with verification on), and acme/app:v2 by the first test
  let stranger;    // another authority, nothing here serves a certificate of it
  let wrongDir;    // a certificate folder trusting only the stranger

  before(async () => {
    stack = await Stack.start({ tls: true });
    ci = await stack.seed('acme/app');
    const strangerDir = join(stack.dir, 'stranger');
    mkdirSync(strangerDir);
    stranger = await makeCertificateAuthority(strangerDir, 'Another test CA');
    wrongDir = certDir(join(stack.dir, 'certs.d-stranger'), stranger);
  });

  after(async () => { await stack?.stop(); });

  const ok = (result) => assert.equal(result.code, 0, stack.explain(result));

  test('both servers speak HTTPS: the realm and the notification endpoint are https URLs', () => {
    assert.match(stack.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(stack.oatd.stderr, /"msg":"listening"[^\n]*"scheme":"https"/);
    assert.match(stack.registryLog, /listening on 127\.0\.0\.1:\d+, tls/, stack.logs());
  });

  test('an org token pushes and pulls back with verification on; the realm answered 200', async () => {
    let mark = stack.accessLog.length;
    ok(await stack.push('acme/app', 'acme', ci.token, 'v2'));
    let answers = await stack.tokenAnswers(mark);
    assert.ok(answers.includes(200), `GET /token answered ${answers}\n${stack.logs()}`);

    mark = stack.accessLog.length;
    ok(await stack.pull('acme/app', 'acme', ci.token, 'v2'));
    answers = await stack.tokenAnswers(mark);
    assert.ok(answers.includes(200), `GET /token answered ${answers}\n${stack.logs()}`);
    const get = stack.accessLog.slice(mark).find((l) => l.path === '/token' && l.status === 200);
    assert.equal(get.method, 'GET');
    assert.ok((await stack.repositories('acme')).includes('app'));
  });

  test('skopeo login with the organization and its token works; a wrong token is refused', async () => {
    const good = await stack.login('acme', ci.token);
    ok(good);
    assert.match(good.stdout, /Login Succeeded/);

    const mark = stack.accessLog.length;
    const wrong = await stack.login('acme', `dckr_oat_${'x'.repeat(32)}`);
    assert.notEqual(wrong.code, 0, stack.explain(wrong));
    assert.match(wrong.stderr, REFUSED, stack.explain(wrong));
    assert.doesNotMatch(wrong.stderr, /x509|certificate/, 'refused by oatd, not by TLS');
    const answers = await stack.tokenAnswers(mark);
    assert.ok(answers.includes(401) && !answers.includes(200), `GET /token answered ${answers}\n${stack.logs()}`);
  });

  test("the registry's notifications reach oatd over HTTPS: a pull is counted", async () => {
    // Let the earlier pushes and pull be counted first: oatd credits an event to the token that
    // last signed in for the organization from the event's address.
    await stack.tokenWhen(ci.id, (t) => t.push_count >= 2 && t.pull_count >= 1);
    const { id, token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')],
                                                  { label: 'puller' });
    const mark = stack.accessLog.length;
    ok(await stack.pull('acme/app', 'acme', token));
    const seen = await stack.tokenWhen(id, (t) => t.pull_count >= 1 && t.last_used_at !== null);
    assert.equal(seen.pull_count, 1, `pull_count after a pull over HTTPS\n${stack.logs()}`);
    assert.notEqual(seen.last_used_at, null);
    assert.equal(seen.push_count, 0);
    // The events came in over HTTPS (oatd serves nothing else), accepted.
    const events = stack.accessLog.slice(mark).filter((l) => l.path === '/registry/events');
    assert.ok(events.length > 0 && events.every((l) => l.method === 'POST' && l.status < 300),
              `POST /registry/events: ${JSON.stringify(events)}\n${stack.logs()}`);
    assert.doesNotMatch(stack.registryLog, /x509|certificate signed by unknown authority/);
  });

  test("verification is on: a certificate folder of another authority fails the registry's certificate", async () => {
    const mark = stack.accessLog.length;
    const pull = await stack.pull('acme/app', 'acme', ci.token, 'v1', { certDir: wrongDir });
    assert.notEqual(pull.code, 0, stack.explain(pull));
    assert.match(pull.stderr, UNTRUSTED, stack.explain(pull));
    const login = await stack.login('acme', ci.token, { certDir: wrongDir });
    assert.notEqual(login.code, 0, stack.explain(login));
    assert.match(login.stderr, UNTRUSTED, stack.explain(login));
    assert.equal(stack.accessLog.slice(mark).filter((l) => l.path === '/token').length, 0,
                 'no token asked for');
  });

  test('the token realm is verified too: oatd serving a certificate of another authority fails the pull at GET /token', async () => {
    const oatd = stack.oatd;
    const reloads = () => oatd.stderr.split('reloaded the TLS certificate').length;
    const reload = async () => {
      const before = reloads();
      oatd.child.kill('SIGHUP');
      await waitFor(() => reloads() > before, 'oatd to reload its certificate');
    };
    const strangers = await issueServerCertificate(stranger, join(stack.dir, 'stranger'), 'oatd');
    try {
      copyFileSync(strangers.certFile, stack.oatdTls.certFile);
      copyFileSync(strangers.keyFile, stack.oatdTls.keyFile);
      await reload();
      const mark = stack.accessLog.length;
      const pull = await stack.pull('acme/app', 'acme', ci.token);
      assert.notEqual(pull.code, 0, stack.explain(pull));
      assert.match(pull.stderr, UNTRUSTED, stack.explain(pull));
      // The registry (its certificate trusted) sent skopeo to the realm, whose certificate failed.
      assert.ok(pull.stderr.includes(`${stack.url}/token`), stack.explain(pull));
      assert.equal(stack.accessLog.slice(mark).filter((l) => l.path === '/token').length, 0,
                   'no request reached GET /token');
    } finally {
      copyFileSync(stack.server.certFile, stack.oatdTls.certFile);
      copyFileSync(stack.server.keyFile, stack.oatdTls.keyFile);
      await reload();
    }
    ok(await stack.pull('acme/app', 'acme', ci.token));  // and with oatd's own certificate back, it works
  });

  test('a deactivated token is refused at its next pull', async () => {
    const { id, token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
    ok(await stack.pull('acme/app', 'acme', token));
    const patched = await stack.patchToken('acme', id, { is_active: false });
    assert.equal(patched.status, 200, String(patched));
    assert.equal(patched.body.is_active, false);
    const mark = stack.accessLog.length;
    const refused = await stack.pull('acme/app', 'acme', token);
    assert.notEqual(refused.code, 0, stack.explain(refused));
    assert.match(refused.stderr, REFUSED, stack.explain(refused));
    assert.doesNotMatch(refused.stderr, /x509/);
    const answers = await stack.tokenAnswers(mark);
    assert.ok(answers.includes(401) && !answers.includes(200), `GET /token answered ${answers}\n${stack.logs()}`);
  });
});
