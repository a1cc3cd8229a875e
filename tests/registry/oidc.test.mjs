// CI sign-in without secrets, end to end (docs/oidc.md): a CI job's ID token, from a real
// OpenID Connect issuer (tests/lib/oidc_issuer.mjs, over HTTPS), exchanged at POST /v2/oidc/token
// for an access token with which skopeo pushes to and pulls from the real registry as the
// organization; refused once the connection is deactivated, and once expires_in has passed
// (oatd started again on the same database and key with its clock moved on). And the issuer's
// key rotation, picked up by a running oatd: it fetches an issuer's keys again for an unknown kid
// at most once a minute, so that test waits for the minute since the keys were first fetched
// (here, where a file may take 3 minutes; an API test file has one).
//
// Each refusal is a failed sign-in as "acme" (5 in 5 minutes lock the name): this file makes
// at most 3, so it runs on its own stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DEFAULT_AUDIENCE, GITHUB_OWNER_ID, startIssuer } from '../lib/oidc_issuer.mjs';
import { makeDataDir, removeDataDir } from '../lib/world.mjs';
import { REFUSED, Stack, decodeJwt, repo, sleep } from './harness.mjs';

let stack;
let issuer;
let issuerDir;
let connection;

const connections = '/v2/orgs/acme/oidc-connections';

// POST /v2/oidc/token for an ID token of the issuer (CLAIMS over its GitHub-shaped defaults),
// on SERVER; the Reply.
async function exchange(claims = {}, server = stack.oatd) {
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    subject_token: await issuer.mint(claims),
    connection_id: connection.id,
  }).toString();
  return server.request('POST', '/v2/oidc/token',
    { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

// An access token from a granted exchange.
async function accessToken() {
  const r = await exchange();
  assert.equal(r.status, 200, `${r}\n${stack.logs()}`);
  assert.equal(r.body.expires_in, 300);
  return r.body.access_token;
}

before(async () => {
  issuerDir = makeDataDir('registry-oidc');
  issuer = await startIssuer(issuerDir, { alg: 'ES256' });
  stack = await Stack.start({ oatdArgs: ['--oidc-issuer', issuer.url, '--oidc-ca-file', issuer.caFile] });
  const r = await stack.oatd.post(connections, {
    name: 'GitHub Actions',
    issuer: issuer.url,
    audience: DEFAULT_AUDIENCE,
    rulesets: [{
      name: 'release on main',
      conditions: { repository_owner_id: GITHUB_OWNER_ID, repository: 'acme/app', ref: 'refs/heads/main' },
      resources: [repo('acme/app', 'scope-image-push')],
    }],
  }, { bearer: stack.bearer });
  assert.equal(r.status, 201, String(r));
  connection = r.body;
  // oatd fetches the issuer's keys now: the minute the rotation test waits for starts here.
  await accessToken();
});

after(async () => {
  await stack?.stop();
  await issuer?.stop();
  await removeDataDir(issuerDir);
});

test("a CI job's exchanged token pushes to and pulls from the registry as the organization", async () => {
  const token = await accessToken();
  const pushed = await stack.push('acme/app', 'acme', token, 'ci');
  assert.equal(pushed.code, 0, stack.explain(pushed));
  const pulled = await stack.pull('acme/app', 'acme', token, 'ci');
  assert.equal(pulled.code, 0, stack.explain(pulled));
  // Only what the ruleset grants: nothing of acme/web.
  const web = await stack.push('acme/web', 'acme', token, 'ci');
  assert.notEqual(web.code, 0, stack.explain(web));
});

test('a deactivated connection: its token no longer pulls, and no new one is exchanged', async () => {
  const token = await accessToken();
  const off = await stack.oatd.patch(`${connections}/${connection.id}`, { active: false }, { bearer: stack.bearer });
  assert.equal(off.status, 200, String(off));
  const pulled = await stack.pull('acme/app', 'acme', token, 'ci');
  assert.notEqual(pulled.code, 0, stack.explain(pulled));
  assert.match(pulled.stderr, REFUSED, stack.explain(pulled));
  const refused = await exchange();
  assert.equal(refused.status, 400, String(refused));
  assert.equal(refused.body.error, 'invalid_target');
  const on = await stack.oatd.patch(`${connections}/${connection.id}`, { active: true }, { bearer: stack.bearer });
  assert.equal(on.status, 200, String(on));
});

test("a key the issuer rotated in is picked up by the running oatd, fetching the keys at most once a minute", async () => {
  const fetched = issuer.jwksFetches();
  assert.ok(fetched >= 1, 'oatd fetched the keys');
  const oldKid = issuer.kid;
  await issuer.rotateKey();
  assert.notEqual(issuer.kid, oldKid);
  let r = await exchange();
  if (r.status !== 200) {
    // Refused while the last fetch is less than a minute old, without fetching again.
    assert.equal(r.status, 400, String(r));
    assert.equal(r.body.error, 'invalid_grant', String(r));
    assert.equal(issuer.jwksFetches(), fetched, 'no fetch within the minute');
    const wait = issuer.lastJwksFetch() + 61_000 - Date.now();
    if (wait > 0) await sleep(wait);
    r = await exchange();
  }
  assert.equal(r.status, 200, `${r}\n${stack.logs()}`);
  assert.ok(issuer.jwksFetches() <= fetched + 1, `the keys fetched ${issuer.jwksFetches() - fetched} more times`);
  // The new key signs from now on; its token pulls.
  const pulled = await stack.pull('acme/app', 'acme', r.body.access_token, 'ci');
  assert.equal(pulled.code, 0, stack.explain(pulled));
});

test('the token is refused once expires_in has passed: oatd started again on the same database and key, 400 s later', async () => {
  const token = await accessToken();
  const scopes = ['repository:acme/app:pull'];
  await stack.oatd.stop();
  // Started again at the real time: the token still signs in (it lives in the database and key).
  const again = await stack.startOatd();
  const granted = await again.tokenService({ user: 'acme', secret: token, scopes });
  assert.equal(granted.status, 200, String(granted));
  assert.deepEqual(decodeJwt(granted.body.token).payload.access, [{ type: 'repository', name: 'acme/app', actions: ['pull'] }]);
  await again.stop();
  // 400 s later: past the 300 s it was given.
  const later = await stack.startOatd(['--test-only-clock-offset', '400']);
  const refused = await later.tokenService({ user: 'acme', secret: token, scopes });
  assert.equal(refused.status, 401, String(refused));
  assert.equal(refused.body.errors?.[0]?.code, 'UNAUTHORIZED', String(refused));
});
