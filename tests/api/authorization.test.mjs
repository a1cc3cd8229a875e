// Who may manage an organization's access tokens, for each of the five token endpoints:
//   allowed: organization owners, owners of the organization's company, members whose custom
//            role has "Manage organization access tokens";
//   403:     editors, members, custom roles without that permission, the organization's own
//            access tokens (an OAT can never manage OATs);
//   404:     owners of other organizations, outsiders, other organizations' tokens, and a name
//            no organization has (all the same: the caller learns nothing);
//   401:     no or unusable credentials (garbage, expired, re-signed, tampered, alg none, ...).
// A refused request changes nothing: the token list and the audit log are the same after it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';

import {
  PAGE_KEYS, admin, assertDetailError, assertKeys, assertTokenShape, decodeJwt, password,
  readSigningKey, signJwt, tokenRequest, unsignedJwt, useWorld, waitFor,
} from './harness.mjs';

// Filled in by setup: bearers that are not plain user sign-ins, and a token to aim at.
const special = {};
let victim; // an acme token that refused callers try to read, edit and delete

const world = useWorld({
  signIn: ['owner', 'companyowner', 'tokenmgr', 'editor', 'member', 'viewer', 'otherowner', 'outsider'],
  setup,
});
const server = () => world.server;

async function setup() {
  const b = world.bearers;
  const oat = await server().createToken('acme', b.owner, { label: 'acme robot' });
  special.acmeOat = await server().signIn('acme', oat.token);
  // A sign-in's "last used" is written within a second; let it land before any test takes a
  // before-and-after snapshot of the organization.
  await waitFor(async () => {
    const r = await server().get(`/v2/orgs/acme/access-tokens/${oat.id}`, { bearer: b.owner });
    return r.body?.last_used_at !== null;
  }, 'the OAT sign-in to be recorded');
  const globexOat = await server().createToken('globex', b.otherowner, { label: 'globex robot' });
  special.globexOat = await server().signIn('globex', globexOat.token);

  const key = readSigningKey(world.dir);
  const { header, payload } = decodeJwt(b.owner);
  const now = Math.floor(Date.now() / 1000);
  const fresh = () => ({ ...payload, iat: now, nbf: now, exp: now + 600, jti: crypto.randomUUID() });

  special.selfSigned = signJwt(key, header, fresh());
  special.expired = signJwt(key, header, {
    ...payload, iat: now - 7200, nbf: now - 7200, exp: now - 3600, jti: crypto.randomUUID(),
  });

  const [h, p, s] = b.owner.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[10] ^= 0x01;
  special.resigned = `${h}.${p}.${sig.toString('base64url')}`;

  // The outsider's bearer with the owner's identity written into it, keeping its signature.
  const outsider = b.outsider.split('.');
  const elevated = { ...decodeJwt(b.outsider).payload, sub: payload.sub, uid: payload.uid };
  special.tampered = `${outsider[0]}.${Buffer.from(JSON.stringify(elevated)).toString('base64url')}.${outsider[2]}`;

  special.algNone = unsignedJwt({ alg: 'none', typ: 'JWT' }, fresh());
  const hsHeader = { alg: 'HS256', kid: header.kid, typ: 'JWT' };
  const hsInput = `${Buffer.from(JSON.stringify(hsHeader)).toString('base64url')}.${Buffer.from(JSON.stringify(fresh())).toString('base64url')}`;
  const publicPem = crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' });
  special.hs256 = `${hsInput}.${crypto.createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;
  const { privateKey: otherKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  special.otherKey = signJwt(otherKey, header, fresh());

  victim = await server().createToken('acme', b.owner, { label: 'victim' });
}

const bearerOf = (name) => () => ({ bearer: world.bearers[name] });
const specialBearer = (name) => () => ({ bearer: special[name] });

/**
 * The callers that get EXPECT. NAMES: {description: the name of the caller's bearer}; AUTH
 * (bearerOf or specialBearer) turns a name into request options when the test runs, after setup.
 * An allowed caller's name is the user that its creates are credited to.
 */
const callersOf = (expect, auth, names) =>
  Object.entries(names).map(([who, name]) => ({ who, auth: auth(name), user: name, expect }));

const callers = [
  ...callersOf('allowed', bearerOf, {
    'the organization owner': 'owner',
    'an owner of the company the organization belongs to': 'companyowner',
    'a member whose custom role may manage access tokens': 'tokenmgr',
  }),
  ...callersOf(403, bearerOf, {
    'an editor': 'editor',
    'a member': 'member',
    'a member whose custom role may not manage access tokens': 'viewer',
  }),
  ...callersOf(403, specialBearer, { 'an access token of the organization': 'acmeOat' }),
  ...callersOf(404, bearerOf, {
    'an owner of another organization': 'otherowner',
    'a user outside the organization': 'outsider',
  }),
  ...callersOf(404, specialBearer, { 'an access token of another organization': 'globexOat' }),
  { who: 'the owner naming an organization that does not exist', auth: bearerOf('owner'), org: 'nosuchorg', expect: 404 },
  { who: 'no Authorization header', auth: () => ({}), expect: 401 },
  { who: 'a garbage bearer', auth: () => ({ bearer: 'garbage' }), expect: 401 },
  { who: 'an empty bearer', auth: () => ({ headers: { authorization: 'Bearer ' } }), expect: 401 },
  { who: 'Basic authentication with the owner\'s password', auth: () => ({ basic: ['owner', password('owner')] }), expect: 401 },
  ...callersOf(401, specialBearer, {
    'an expired JWT signed with the server\'s key': 'expired',
    'the owner\'s JWT with its signature changed': 'resigned',
    'an outsider\'s JWT with the owner\'s identity written into it': 'tampered',
    'a JWT with "alg": "none"': 'algNone',
    'a JWT with "alg": "HS256" keyed with the server\'s public key': 'hs256',
    'a JWT signed with another key': 'otherKey',
  }),
];

const list = (org) => `/v2/orgs/${org}/access-tokens`;
const item = (org, id) => `/v2/orgs/${org}/access-tokens/${id}`;

// Each endpoint: how to call it (given the target token's id), and what success looks like.
const endpoints = [
  {
    name: 'POST /v2/orgs/{org}/access-tokens',
    call: (org, auth, caller) =>
      server().request('POST', list(org), { json: tokenRequest(org, { label: `by ${caller.who}` }), ...auth }),
    success: 201,
    check: async (r, caller) => {
      assertTokenShape(r.body, { single: true, secret: true });
      assert.equal(r.body.created_by, caller.user);
      // Keep within the Team quota: remove what this case created.
      const del = await server().delete(item('acme', r.body.id), { bearer: world.bearers.owner });
      assert.equal(del.status, 204, String(del));
    },
  },
  {
    name: 'GET /v2/orgs/{org}/access-tokens',
    call: (org, auth) => server().request('GET', `${list(org)}?page=1&page_size=10`, auth),
    success: 200,
    check: (r) => {
      assertKeys(r.body, PAGE_KEYS, 'token list');
      assert.ok(r.body.results.some((t) => t.id === victim.id), 'lists the organization\'s tokens');
    },
  },
  {
    name: 'GET /v2/orgs/{org}/access-tokens/{id}',
    call: (org, auth, _caller, id) => server().request('GET', item(org, id), auth),
    success: 200,
    check: (r) => assertTokenShape(r.body, { single: true }),
  },
  {
    name: 'PATCH /v2/orgs/{org}/access-tokens/{id}',
    call: (org, auth, caller, id) =>
      server().request('PATCH', item(org, id), { json: { label: `renamed by ${caller.who}` }, ...auth }),
    success: 200,
    check: (r, caller) => {
      assertTokenShape(r.body, { single: true });
      assert.equal(r.body.label, `renamed by ${caller.who}`);
    },
  },
  {
    name: 'DELETE /v2/orgs/{org}/access-tokens/{id}',
    call: (org, auth, _caller, id) => server().request('DELETE', item(org, id), auth),
    success: 204,
    check: async (r, _caller, id) => {
      assert.equal(r.text, '');
      const gone = await server().get(item('acme', id), { bearer: world.bearers.owner });
      assert.equal(gone.status, 404, String(gone));
    },
  },
];

test('control: a JWT the test signs with the server\'s key and a future exp is accepted', async () => {
  // Proves that the forged bearers below are refused for what was changed in them (exp, alg,
  // signature, claims), not because the test cannot sign.
  const r = await server().get(`${list('acme')}?page=1&page_size=10`, { bearer: special.selfSigned });
  assert.equal(r.status, 200, String(r));
});

for (const endpoint of endpoints) {
  describe(endpoint.name, () => {
    for (const caller of callers) {
      const org = caller.org ?? 'acme';
      if (caller.expect === 'allowed') {
        test(`${caller.who}: ${endpoint.success}`, async () => {
          // Each allowed edit or delete gets a token of its own.
          const target = await server().createToken('acme', world.bearers.owner, { label: 'target' });
          const r = await endpoint.call(org, caller.auth(), caller, target.id);
          assert.equal(r.status, endpoint.success, String(r));
          await endpoint.check(r, caller, target.id);
          if (endpoint.success !== 204) {
            const del = await server().delete(item('acme', target.id), { bearer: world.bearers.owner });
            assert.equal(del.status, 204, String(del));
          }
        });
      } else {
        test(`${caller.who}: ${caller.expect}, nothing changed`, async () => {
          const before = await server().snapshot('acme', world.bearers.owner);
          const r = await endpoint.call(org, caller.auth(), caller, victim.id);
          const detail = assertDetailError(r, caller.expect);
          if (caller.expect === 403) assert.match(detail, /access token/i, 'says why');
          assert.deepEqual(await server().snapshot('acme', world.bearers.owner), before);
        });
      }
    }
  });
}

test('the 404 for an organization the caller has nothing to do with equals the 404 for one that does not exist', async () => {
  const outsider = await server().get(list('acme'), { bearer: world.bearers.outsider });
  const missing = await server().get(list('nosuchorg'), { bearer: world.bearers.outsider });
  assertDetailError(outsider, 404);
  assert.deepEqual(outsider.body, missing.body);
});

describe('permissions are checked on every request, not when the bearer was issued', () => {
  test('an owner demoted to member (admin command, server running) is refused at once with the same bearer', async () => {
    await admin(world.db, ['user', 'add', 'demoted'], { input: password('demoted') });
    await admin(world.db, ['member', 'add', 'acme', 'demoted', '--role', 'owner']);
    const bearer = await server().signIn('demoted');
    assert.equal((await server().get(list('acme'), { bearer })).status, 200);
    await admin(world.db, ['member', 'add', 'acme', 'demoted', '--role', 'member']);
    assertDetailError(await server().get(list('acme'), { bearer }), 403);
  });

  test('a member promoted to a role that may manage tokens is allowed at once', async () => {
    await admin(world.db, ['user', 'add', 'promoted'], { input: password('promoted') });
    await admin(world.db, ['member', 'add', 'acme', 'promoted', '--role', 'member']);
    const bearer = await server().signIn('promoted');
    assertDetailError(await server().get(list('acme'), { bearer }), 403);
    await admin(world.db, ['member', 'add', 'acme', 'promoted', '--role', 'token-managers']);
    assert.equal((await server().get(list('acme'), { bearer })).status, 200);
  });
});
