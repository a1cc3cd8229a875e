// The token service called directly, as the distribution token-auth specification describes
// it: GET /token with Basic auth and scopes, the OAuth2 POST /token, the answer and the JWT.
// No registry needed; nothing here fails a sign-in.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { ISSUER, SERVICE, Stack, decodeJwt, libtrustKeyId, repo } from './harness.mjs';

let stack;
let pullApp;  // acme/app with scope-image-pull

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

// GET /token as acme with `secret`, asserting a 200; resolves {body, jwt: decoded}.
async function grant(secret, scopes) {
  const answer = await stack.oatd.tokenService({ user: 'acme', secret, scopes });
  assert.equal(answer.status, 200, String(answer));
  return { body: answer.body, jwt: decodeJwt(answer.body.token) };
}

before(async () => {
  stack = await Stack.start({ registry: false });
  pullApp = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
});

after(async () => { await stack?.stop(); });

describe('GET /token grants', () => {
  test('what was asked when the token allows it', async () => {
    const { jwt } = await grant(pullApp.token, ['repository:acme/app:pull']);
    assert.deepEqual(jwt.payload.access, [{ type: 'repository', name: 'acme/app', actions: ['pull'] }]);
  });

  test('a partial grant with a 200: pull,push on a pull-only token grants pull', async () => {
    const { jwt } = await grant(pullApp.token, ['repository:acme/app:pull,push']);
    assert.deepEqual(jwt.payload.access, [{ type: 'repository', name: 'acme/app', actions: ['pull'] }]);
  });

  test('an empty grant with a 200 for a repository the token does not cover', async () => {
    const { jwt } = await grant(pullApp.token, ['repository:acme/web:pull']);
    assert.deepEqual(jwt.payload.access, []);
  });

  test('each of several scopes on its own', async () => {
    const { jwt } = await grant(pullApp.token, ['repository:acme/web:pull', 'repository:acme/app:pull,push']);
    assert.deepEqual(jwt.payload.access, [{ type: 'repository', name: 'acme/app', actions: ['pull'] }]);
  });

  test('nothing for a name outside the registry grammar, even to an acme/* token, and oatd keeps serving', async () => {
    const all = await stack.createToken('acme', [repo('acme/*', 'scope-image-pull')]);
    // Raw bytes that are not UTF-8 must neither be granted nor break the signed answer.
    const answer = await stack.oatd.get('/token?service=oat-registry&scope=repository:acme/%FF%FE:pull',
                                        { basic: ['acme', all.token] });
    assert.equal(answer.status, 200, String(answer));
    assert.deepEqual(decodeJwt(answer.body.token).payload.access, []);
    const { jwt } = await grant(all.token, ['repository:acme/app:pull']);
    assert.deepEqual(jwt.payload.access, [{ type: 'repository', name: 'acme/app', actions: ['pull'] }]);
  });

  test('nothing, with a 200, when no scope is asked (a login)', async () => {
    const { jwt } = await grant(pullApp.token, []);
    assert.deepEqual(jwt.payload.access, []);
  });

  test('registry:catalog:* to a token with the organization scope scope-repository-list', async () => {
    const { token } = await stack.createToken('acme', [
      { type: 'TYPE_ORG', path: 'acme', scopes: ['scope-repository-list'] }]);
    const { jwt } = await grant(token, ['registry:catalog:*']);
    assert.deepEqual(jwt.payload.access, [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  });

  test('no registry:catalog:* to a token with repository scopes only', async () => {
    const { jwt } = await grant(pullApp.token, ['registry:catalog:*']);
    assert.deepEqual(jwt.payload.access, []);
  });

  test('pull of public repositories only to an anonymous client', async () => {
    const answer = await stack.oatd.tokenService({ scopes: ['repository:acme/docs:pull,push', 'repository:acme/app:pull'] });
    assert.equal(answer.status, 200, String(answer));
    assert.deepEqual(decodeJwt(answer.body.token).payload.access,
                     [{ type: 'repository', name: 'acme/docs', actions: ['pull'] }]);
  });

  test('a 400 INVALID_REQUEST for a malformed scope', async () => {
    const answer = await stack.oatd.tokenService({ user: 'acme', secret: pullApp.token, scopes: ['nonsense'] });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.errors?.[0]?.code, 'INVALID_REQUEST', String(answer));
  });
});

describe('the answer of GET /token', () => {
  test('carries token and access_token (the same JWT), expires_in >= 60, issued_at in RFC 3339', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { body } = await grant(pullApp.token, ['repository:acme/app:pull']);
    assert.equal(typeof body.token, 'string');
    assert.equal(body.access_token, body.token);
    assert.ok(Number.isInteger(body.expires_in) && body.expires_in >= 60, `expires_in ${body.expires_in}`);
    assert.match(body.issued_at, RFC3339);
    const issued = Date.parse(body.issued_at);
    assert.ok(issued >= before && issued <= Date.now(), `issued_at ${body.issued_at}`);
    assert.equal(body.refresh_token, undefined, 'no refresh_token unless offline_token=true');
  });

  test('is a JWT whose header names ES256 and the libtrust key ID of the signing certificate', async () => {
    const { jwt } = await grant(pullApp.token, ['repository:acme/app:pull']);
    assert.equal(jwt.header.alg, 'ES256');
    assert.equal(jwt.header.typ, 'JWT');
    assert.equal(jwt.header.kid, libtrustKeyId(stack.certificate));
  });

  test('is signed by the key of the certificate the registry trusts', async () => {
    const { jwt } = await grant(pullApp.token, ['repository:acme/app:pull']);
    const key = createPublicKey(stack.certificate);
    const good = verify('sha256', Buffer.from(jwt.signed), { key, dsaEncoding: 'ieee-p1363' },
                        Buffer.from(jwt.signature, 'base64url'));
    assert.ok(good, 'ES256 signature does not verify with the certificate of oatd cert');
  });

  test('has the claims iss, sub (the organization), aud (the service), exp, nbf, iat, jti, access', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { body, jwt } = await grant(pullApp.token, ['repository:acme/app:pull']);
    const claims = jwt.payload;
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.sub, 'acme');
    assert.equal(claims.aud, SERVICE);
    for (const claim of ['exp', 'nbf', 'iat']) assert.ok(Number.isInteger(claims[claim]), claim);
    assert.ok(Math.abs(claims.iat - now) <= 2, `iat ${claims.iat}, now ${now}`);
    assert.ok(claims.nbf <= claims.iat);
    assert.equal(claims.exp - claims.iat, body.expires_in);
    assert.equal(typeof claims.jti, 'string');
    assert.ok(claims.jti.length > 0);
    assert.ok(Array.isArray(claims.access));
  });

  test('has a different jti each time', async () => {
    const a = await grant(pullApp.token, ['repository:acme/app:pull']);
    const b = await grant(pullApp.token, ['repository:acme/app:pull']);
    assert.notEqual(a.jwt.payload.jti, b.jwt.payload.jti);
  });
});

describe('POST /token (OAuth2)', () => {
  test('grant_type=password with the form grants like GET and names the scope', async () => {
    const answer = await stack.oatd.request('POST', '/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: String(new URLSearchParams({
        grant_type: 'password', service: SERVICE, client_id: 'e2e-tests',
        scope: 'repository:acme/app:pull,push', username: 'acme', password: pullApp.token,
      })),
    });
    assert.equal(answer.status, 200, String(answer));
    const { body } = answer;
    assert.equal(body.scope, 'repository:acme/app:pull');
    assert.ok(body.expires_in >= 60);
    assert.match(body.issued_at, RFC3339);
    const claims = decodeJwt(body.access_token).payload;
    assert.equal(claims.sub, 'acme');
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'acme/app', actions: ['pull'] }]);
  });
});

describe('POST /registry/events', () => {
  const envelope = JSON.stringify({ events: [{
    action: 'push',
    target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: 'acme/forged' },
    request: { addr: '127.0.0.1:1234' },
    actor: { name: 'acme' },
  }] });
  const post = (headers) => stack.oatd.request('POST', '/registry/events', {
    headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', ...headers },
    body: envelope,
  });

  test('refuses a notification without the shared secret', async () => {
    const response = await post({});
    assert.equal(response.status, 401, String(response));
    assert.ok(!(await stack.repositories('acme')).includes('forged'));
  });

  test('refuses a notification with a wrong secret', async () => {
    const response = await post({ authorization: `Bearer ${stack.eventsSecret}x` });
    assert.equal(response.status, 401, String(response));
    assert.ok(!(await stack.repositories('acme')).includes('forged'));
  });

  test('accepts a notification with the shared secret and registers the pushed repository', async () => {
    const response = await post({ authorization: `Bearer ${stack.eventsSecret}` });
    assert.equal(response.status, 204, String(response));
    assert.ok((await stack.repositories('acme')).includes('forged'));
  });
});
