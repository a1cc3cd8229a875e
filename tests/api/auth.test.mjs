// Sign-in: POST /v2/auth/token (users and access tokens), POST /v2/users/login, console
// sessions (refresh, logout), and what deactivating or deleting a token does to its sign-ins.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import {
  TIME_RE, assertDetailError, assertFieldError, assertKeys, decodeJwt, freshClientAddress,
  password, useWorld, waitFor,
} from './harness.mjs';

const world = useWorld({ signIn: ['owner'] });
const owner = () => world.bearers.owner;

/** A token of acme that may read acme's activity log, so its bearer has an endpoint to use. */
async function auditReaderToken(label) {
  return world.server.createToken('acme', owner(), {
    label,
    resources: [
      { type: 'TYPE_ORG', path: 'acme', scopes: ['scope-activity-read'] },
      { type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-pull'] },
    ],
  });
}

/** A sign-in that is expected to fail, sent from its own client address (see harness). */
function failingSignIn(body, path = '/v2/auth/token') {
  return world.server.post(path, body, { from: freshClientAddress() });
}

describe('POST /v2/auth/token with a username and password', () => {
  test('answers 200 with exactly access_token and expires_in (600 seconds)', async () => {
    const r = await world.server.post('/v2/auth/token', { identifier: 'editor', secret: password('editor') });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ['access_token', 'expires_in'], 'sign-in answer');
    assert.equal(r.body.expires_in, 600);
    assert.equal(typeof r.body.access_token, 'string');
  });

  test('the access token is an ES256 JWT for the user that expires 10 minutes after it was issued', async () => {
    const { header, payload } = decodeJwt(owner());
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'JWT');
    assert.equal(typeof header.kid, 'string');
    assert.equal(payload.sub, 'owner');
    assert.equal(payload.exp - payload.iat, 600);
  });

  test('with "refresh": true also answers a refresh_token and refresh_expires_at', async () => {
    const r = await world.server.post('/v2/auth/token', {
      identifier: 'owner', secret: password('owner'), refresh: true,
    });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ['access_token', 'expires_in', 'refresh_token', 'refresh_expires_at'], 'sign-in answer');
    assert.equal(r.body.expires_in, 600);
    assert.equal(typeof r.body.refresh_token, 'string');
    assert.match(r.body.refresh_expires_at, TIME_RE);
    assert.ok(Date.parse(r.body.refresh_expires_at) > Date.now(), 'refresh_expires_at is in the future');
  });

  test('a wrong password answers 401 {detail, message}', async () => {
    const r = await failingSignIn({ identifier: 'owner', secret: 'not-the-password' });
    assertDetailError(r, 401);
  });

  test('an unknown user answers the same 401 as a wrong password', async () => {
    const wrong = await failingSignIn({ identifier: 'owner', secret: 'not-the-password' });
    const unknown = await failingSignIn({ identifier: 'nobody', secret: 'not-the-password' });
    assertDetailError(unknown, 401);
    assert.deepEqual(unknown.body, wrong.body);
  });

  test('missing identifier and secret answer 400 naming both fields', async () => {
    const r = await world.server.post('/v2/auth/token', {});
    assertFieldError(r, 'identifier');
    assertFieldError(r, 'secret');
  });

  test('a body that is not JSON answers 400 in the fields/text shape', async () => {
    const r = await world.server.request('POST', '/v2/auth/token', { body: '{"identifier":' });
    assertFieldError(r, 'non_field_errors');
  });

  test('the bearer works on GET /v2/user', async () => {
    const r = await world.server.get('/v2/user', { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.username, 'owner');
  });
});

describe('POST /v2/auth/token with an organization access token', () => {
  let token;
  before(async () => {
    token = await auditReaderToken('sign-in');
  });

  test('identifier = organization name, secret = the token: 200 with exactly access_token and expires_in', async () => {
    const r = await world.server.post('/v2/auth/token', { identifier: 'acme', secret: token.token });
    assert.equal(r.status, 200, String(r));
    // The same answer as a person's sign-in (without a session).
    assertKeys(r.body, ['access_token', 'expires_in'], 'OAT sign-in answer');
    assert.equal(r.body.expires_in, 600);
    const { header, payload } = decodeJwt(r.body.access_token);
    assert.equal(header.alg, 'ES256');
    assert.equal(payload.sub, 'acme');
  });

  test('a successful sign-in records last_used_at on the token', async () => {
    const fresh = await auditReaderToken('last-used');
    assert.equal(fresh.last_used_at, null);
    await world.server.signIn('acme', fresh.token);
    // Recorded as the registry's sign-ins are: noted at once, written within a second.
    let r;
    await waitFor(async () => {
      r = await world.server.get(`/v2/orgs/acme/access-tokens/${fresh.id}`, { bearer: owner() });
      return r.status === 200 && r.body.last_used_at !== null;
    }, 'last_used_at to be recorded');
    assert.match(r.body.last_used_at, TIME_RE);
    assert.deepEqual(r.body.last_used_addresses, ['127.0.0.1']);
  });

  test('the token with another organization as identifier answers 401', async () => {
    const r = await failingSignIn({ identifier: 'globex', secret: token.token });
    assertDetailError(r, 401);
  });

  test('the token with a personal username as identifier answers 401', async () => {
    const r = await failingSignIn({ identifier: 'owner', secret: token.token });
    assertDetailError(r, 401);
  });

  test('a mistyped token (one character changed) answers 401', async () => {
    const last = token.token.at(-1) === 'A' ? 'B' : 'A';
    const r = await failingSignIn({ identifier: 'acme', secret: token.token.slice(0, -1) + last });
    assertDetailError(r, 401);
  });

  test('the bearer may read the activity log its scope-activity-read allows', async () => {
    const bearer = await world.server.signIn('acme', token.token);
    const r = await world.server.get('/v2/auditlogs/acme', { bearer });
    assert.equal(r.status, 200, String(r));
  });

  test('the bearer is refused (403) on the user endpoint GET /v2/user', async () => {
    const bearer = await world.server.signIn('acme', token.token);
    assertDetailError(await world.server.get('/v2/user', { bearer }), 403);
  });
});

describe('POST /v2/users/login (deprecated)', () => {
  test('a username and password answer 200 with exactly {token}, a working bearer', async () => {
    const r = await world.server.post('/v2/users/login', { username: 'member', password: password('member') });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ['token'], 'login answer');
    const me = await world.server.get('/v2/user', { bearer: r.body.token });
    assert.equal(me.status, 200, String(me));
    assert.equal(me.body.username, 'member');
  });

  test('an organization access token as password answers 401 "Cannot log into an organization account"', async () => {
    const token = await world.server.createToken('acme', owner(), { label: 'legacy' });
    const r = await world.server.post('/v2/users/login', { username: 'acme', password: token.token });
    assertDetailError(r, 401);
    assert.equal(r.body.detail, 'Cannot log into an organization account');
  });

  test('a wrong password answers 401 {detail, message}', async () => {
    const r = await failingSignIn({ username: 'member', password: 'not-the-password' }, '/v2/users/login');
    assertDetailError(r, 401);
  });
});

describe('console sessions: POST /v2/auth/refresh and /v2/auth/logout', () => {
  async function session() {
    const r = await world.server.post('/v2/auth/token', {
      identifier: 'owner', secret: password('owner'), refresh: true,
    });
    assert.equal(r.status, 200, String(r));
    return r.body;
  }

  test('refresh answers 200 with exactly access_token and expires_in, a working bearer', async () => {
    const s = await session();
    const r = await world.server.post('/v2/auth/refresh', { refresh_token: s.refresh_token });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ['access_token', 'expires_in'], 'refresh answer');
    assert.equal(r.body.expires_in, 600);
    const me = await world.server.get('/v2/user', { bearer: r.body.access_token });
    assert.equal(me.status, 200, String(me));
  });

  test('refresh with an unknown refresh token answers 401', async () => {
    const s = await session();
    const [id] = s.refresh_token.split('.');
    assertDetailError(await world.server.post('/v2/auth/refresh', { refresh_token: `${id}.wrong` }), 401);
    assertDetailError(await world.server.post('/v2/auth/refresh', { refresh_token: 'garbage' }), 401);
  });

  test('refresh without refresh_token answers 400', async () => {
    assertFieldError(await world.server.post('/v2/auth/refresh', {}), 'refresh_token');
  });

  test('logout with the refresh token answers 204; then the refresh token and the session\'s bearers answer 401', async () => {
    const s = await session();
    const refreshed = await world.server.post('/v2/auth/refresh', { refresh_token: s.refresh_token });
    assert.equal(refreshed.status, 200, String(refreshed));

    const out = await world.server.post('/v2/auth/logout', { refresh_token: s.refresh_token });
    assert.equal(out.status, 204, String(out));
    assert.equal(out.text, '');

    assertDetailError(await world.server.post('/v2/auth/refresh', { refresh_token: s.refresh_token }), 401);
    assertDetailError(await world.server.get('/v2/user', { bearer: s.access_token }), 401);
    assertDetailError(await world.server.get('/v2/user', { bearer: refreshed.body.access_token }), 401);
  });

  test('logout with a bearer of a session answers 204 and ends that session', async () => {
    const s = await session();
    const out = await world.server.request('POST', '/v2/auth/logout', { bearer: s.access_token });
    assert.equal(out.status, 204, String(out));
    assertDetailError(await world.server.get('/v2/user', { bearer: s.access_token }), 401);
    assertDetailError(await world.server.post('/v2/auth/refresh', { refresh_token: s.refresh_token }), 401);
  });

  test('logging out of one session leaves other sign-ins working', async () => {
    const a = await session();
    const b = await session();
    const out = await world.server.post('/v2/auth/logout', { refresh_token: a.refresh_token });
    assert.equal(out.status, 204, String(out));
    assert.equal((await world.server.get('/v2/user', { bearer: b.access_token })).status, 200);
    assert.equal((await world.server.post('/v2/auth/refresh', { refresh_token: b.refresh_token })).status, 200);
    assert.equal((await world.server.get('/v2/user', { bearer: owner() })).status, 200);
  });

  test('logout without a session (no refresh token, no bearer) answers 401', async () => {
    assertDetailError(await world.server.post('/v2/auth/logout', {}), 401);
  });
});

describe('deactivating, reactivating and deleting a token', () => {
  const item = (id) => `/v2/orgs/acme/access-tokens/${id}`;

  test('a deactivated token cannot sign in (401)', async () => {
    const token = await auditReaderToken('deactivated');
    const off = await world.server.patch(item(token.id), { is_active: false }, { bearer: owner() });
    assert.equal(off.status, 200, String(off));
    const r = await failingSignIn({ identifier: 'acme', secret: token.token });
    assertDetailError(r, 401);
  });

  test('deactivating a token refuses its existing bearer at once (401)', async () => {
    const token = await auditReaderToken('bearer-deactivated');
    const bearer = await world.server.signIn('acme', token.token);
    assert.equal((await world.server.get('/v2/auditlogs/acme', { bearer })).status, 200);
    const off = await world.server.patch(item(token.id), { is_active: false }, { bearer: owner() });
    assert.equal(off.status, 200, String(off));
    assertDetailError(await world.server.get('/v2/auditlogs/acme', { bearer }), 401);
  });

  test('a reactivated token signs in again and its bearer works', async () => {
    const token = await auditReaderToken('reactivated');
    assert.equal((await world.server.patch(item(token.id), { is_active: false }, { bearer: owner() })).status, 200);
    const on = await world.server.patch(item(token.id), { is_active: true }, { bearer: owner() });
    assert.equal(on.status, 200, String(on));
    assert.equal(on.body.is_active, true);
    const bearer = await world.server.signIn('acme', token.token);
    assert.equal((await world.server.get('/v2/auditlogs/acme', { bearer })).status, 200);
  });

  test('a deleted token cannot sign in, and its bearer is refused (401)', async () => {
    const token = await auditReaderToken('deleted');
    const bearer = await world.server.signIn('acme', token.token);
    assert.equal((await world.server.delete(item(token.id), { bearer: owner() })).status, 204);
    assertDetailError(await world.server.get('/v2/auditlogs/acme', { bearer }), 401);
    assertDetailError(await failingSignIn({ identifier: 'acme', secret: token.token }), 401);
  });
});
