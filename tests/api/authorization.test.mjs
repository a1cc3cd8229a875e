// The authorization matrix as data: every route oatd serves that takes a credential, against every
// kind of caller, walked completely. MATRIX below holds one row per route (its method and path,
// the answer each class of caller gets, how to call it and what its success looks like); CALLERS
// holds the callers, each in one class; the file generates one test per cell and caller,
// "<METHOD path>: <caller>: <status>", and asserts:
//   ✓    the route's success status, and what success means there (the token made, the
//        policy set, the session renewed, ...), done on a target of its own where it changes one;
//   401, 403, 404
//        that status with the API's {"detail","message"} error (a 403 saying why), and that the
//        refused request changed nothing: the organization's tokens, audit log, token policy,
//        webhooks and the deliveries of one, OIDC connections, repositories, and a live console
//        session are all as they were.
// The classes, in short: owners, company owners and custom roles with "Manage organization
// access tokens" manage; other members are told 403; people outside learn nothing (404, the
// same 404 as an organization that does not exist); an access token's bearer manages nothing
// (403) but reads the audit log with scope-activity-read and rotates itself when allowed; no,
// unusable, ended, forged or foreign credentials are 401.
// Routes public by design (sign-in, the registry's token service, the OIDC exchange, leaked-token
// reports, health, metrics, the console's config.json) are listed as such, each with one test
// that it answers without credentials.
// Beside the walk: an outsider's 404 is that of an organization that does not exist, route by
// route; ids are looked up within the organization the path names; a bearer renews no session;
// a session cookie's value is its refresh token; rights are checked on every request.
//
// docs/security.md shows the same matrix: `node tests/api/authorization.test.mjs --print-matrix`
// prints it, and a test below fails when the document's copy differs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DEFAULT_AUDIENCE, GITHUB_OWNER_ID, issuerAuthority, startIssuer } from '../lib/oidc_issuer.mjs';
import {
  PAGE_KEYS, admin, assertDetailError, assertKeys, assertTokenShape, decodeJwt, password,
  readSigningKey, rfc3339, signJwt, sleep, tokenRequest, unsignedJwt, useWorld, waitFor,
} from './harness.mjs';

const PRINTING = process.argv.includes('--print-matrix');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SECURITY_MD = join(ROOT, 'docs/security.md');

// ---------------------------------------------------------------------------------------------
// The classes of caller (the matrix's columns) and the callers in each
// ---------------------------------------------------------------------------------------------

const OK = 'ok';

/** Each class: its column title in docs/security.md, and who belongs to it. */
const CLASSES = {
  owner: { title: 'Owner', about: 'an owner of the organization' },
  companyOwner: { title: 'Company owner', about: 'an owner of the company the organization belongs to, not a member of it' },
  roleWith: { title: 'Role with', about: 'a member whose custom role has "Manage organization access tokens"' },
  roleWithout: { title: 'Role without', about: 'a member whose custom role does not' },
  member: { title: 'Member', about: 'a member whose built-in role is not owner (editor, member)' },
  outsider: { title: 'Outsider', about: 'a signed-in person with no part in the organization' },
  oat: { title: 'OAT', about: 'the bearer of an access token of the organization without scope-activity-read' },
  oatActivity: { title: 'OAT activity', about: 'the bearer of an access token of the organization with scope-activity-read' },
  oatSelf: { title: 'OAT self-rotate', about: 'the bearer of an access token of the organization created with allow_self_rotation' },
  otherOat: { title: 'Other OAT', about: 'the bearer of another organization\'s access token' },
  cookie: { title: 'Cookie', about: 'the console\'s live session cookie, sent from the console\'s own page, without a bearer' },
  anonymous: { title: 'Anonymous', about: 'no credentials, or credentials that are not a management bearer' },
  ended: { title: 'Ended', about: 'a bearer or cookie the server issued that no longer holds' },
  forged: { title: 'Forged', about: 'a JWT the server did not issue as a management bearer: forged, or issued for something else' },
};

/** The credentials of the special callers, made by setup (bearers, cookies, secrets). */
const special = {};
let world;
const server = () => world.server;
const owner = () => world.bearers.owner;

/** The headers the console's own page sends (its header, and its origin: the API's). */
const consolePage = () => ({ 'X-OAT-Console': '1', Origin: `http://127.0.0.1:${server().port}` });

const person = (cls, who, user) => ({ cls, who, user, auth: () => ({ bearer: world.bearers[user] }) });
const bearer = (cls, who, name) => ({ cls, who, auth: () => ({ bearer: special[name] }) });
const withCookie = (cls, who, name) => ({
  cls, who, auth: () => ({ headers: { ...consolePage(), Cookie: special[name] }, from: '127.0.0.1' }),
});

/**
 * Every caller: its class (CLASSES), what it is (the tests' names), and AUTH(): its request
 * options. A person's USER is the user signed in; the routes of sessions open one for them.
 */
const CALLERS = [
  person('owner', 'the organization owner', 'owner'),
  person('companyOwner', 'an owner of the company the organization belongs to', 'companyowner'),
  person('roleWith', 'a member whose custom role may manage access tokens', 'tokenmgr'),
  person('roleWithout', 'a member whose custom role may not manage access tokens', 'viewer'),
  person('member', 'an editor', 'editor'),
  person('member', 'a member', 'member'),
  person('outsider', 'an owner of another organization', 'otherowner'),
  person('outsider', 'a user outside the organization', 'outsider'),
  bearer('oat', 'an access token of the organization with repository scopes only', 'acmeOat'),
  bearer('oat', 'an access token of the organization with every organization scope but scope-activity-read', 'acmeOrgScopes'),
  bearer('oatActivity', 'an access token of the organization with scope-activity-read', 'acmeActivity'),
  bearer('oatSelf', 'an access token of the organization allowed to rotate itself', 'acmeSelf'),
  bearer('otherOat', 'an access token of another organization', 'globexOat'),
  withCookie('cookie', 'the console\'s live session cookie from its own page, no bearer', 'liveCookie'),
  { cls: 'anonymous', who: 'no Authorization header', auth: () => ({}) },
  { cls: 'anonymous', who: 'a garbage bearer', auth: () => ({ bearer: 'garbage' }) },
  { cls: 'anonymous', who: 'an empty bearer', auth: () => ({ headers: { authorization: 'Bearer ' } }) },
  { cls: 'anonymous', who: 'Basic authentication with the owner\'s password', auth: () => ({ basic: ['owner', password('owner')] }) },
  { cls: 'anonymous', who: 'Basic authentication with an access token', auth: () => ({ basic: ['acme', special.acmeOatSecret] }) },
  { cls: 'anonymous', who: 'an access token\'s secret as the bearer', auth: () => ({ bearer: special.acmeOatSecret }) },
  bearer('ended', 'an expired JWT signed with the server\'s key', 'expired'),
  { ...bearer('ended', 'the bearer of a signed-out session', 'signedOut'), refreshToken: () => special.signedOutRefresh },
  withCookie('ended', 'the session cookie of a signed-out session', 'signedOutCookie'),
  bearer('ended', 'the bearer of an access token since deactivated', 'deactivated'),
  bearer('ended', 'the bearer of an access token since deleted', 'deleted'),
  bearer('ended', 'the bearer of an access token since rotated without grace', 'rotated'),
  bearer('ended', 'the bearer of an access token since expired', 'expiredToken'),
  { cls: 'ended', who: 'an access token\'s bearer from outside its allowed_cidrs', auth: () => ({ bearer: special.allowListed, from: '127.0.0.2' }) },
  bearer('forged', 'the owner\'s JWT with its signature changed', 'resigned'),
  bearer('forged', 'an outsider\'s JWT with the owner\'s identity written into it', 'tampered'),
  bearer('forged', 'a JWT with "alg": "none"', 'algNone'),
  bearer('forged', 'a JWT with "alg": "HS256" keyed with the server\'s public key', 'hs256'),
  bearer('forged', 'a JWT signed with another key', 'otherKey'),
  bearer('forged', 'a registry token of /token (the server\'s key, the registry\'s audience)', 'registryToken'),
  bearer('forged', 'an access token of the OIDC exchange (the server\'s key, its own audience)', 'exchanged'),
  bearer('forged', 'a CI job\'s OIDC ID token', 'idToken'),
];

// ---------------------------------------------------------------------------------------------
// What each class gets, route by route
// ---------------------------------------------------------------------------------------------

const PEOPLE = ['owner', 'companyOwner', 'roleWith', 'roleWithout', 'member', 'outsider'];
const TOKENS = ['oat', 'oatActivity', 'oatSelf', 'otherOat'];
const UNAUTHENTICATED = { cookie: 401, anonymous: 401, ended: 401, forged: 401 };
const each = (classes, answer) => Object.fromEntries(classes.map((c) => [c, answer]));

/** Those who manage the organization's tokens; the other members are told why; outsiders learn nothing. */
const MANAGERS = {
  owner: OK, companyOwner: OK, roleWith: OK, roleWithout: 403, member: 403, outsider: 404,
  oat: 403, oatActivity: 403, oatSelf: 403, otherOat: 404, ...UNAUTHENTICATED,
};
/** The managers, and the organization's tokens holding scope-activity-read. */
const AUDIT_READERS = { ...MANAGERS, oatActivity: OK };
/** Anyone of the organization: its members of any role, its company's owners, its tokens. */
const AFFILIATED = { ...MANAGERS, roleWithout: OK, member: OK, oat: OK, oatActivity: OK, oatSelf: OK };
/** Any person (themselves); never an access token. */
const PEOPLE_ONLY = { ...each(PEOPLE, OK), ...each(TOKENS, 403), ...UNAUTHENTICATED };
/** Any person of the organization, of any role, and its company's owners; never an access token. */
const MEMBER_PEOPLE = { ...PEOPLE_ONLY, outsider: 404 };
/** Only an access token allowed to, on itself. */
const SELF_ROTATION = { ...each(PEOPLE, 403), ...each(TOKENS, 403), oatSelf: OK, ...UNAUTHENTICATED };
/** A person's own session (refresh token or, from the console's page, its cookie). */
const SESSION_REFRESH = { ...each(PEOPLE, OK), ...each(TOKENS, 401), ...UNAUTHENTICATED, cookie: OK };
/** A person's own session, ended with its bearer (a cookie alone signs nothing out). */
const SESSION_LOGOUT = { ...each(PEOPLE, OK), ...each(TOKENS, 401), ...UNAUTHENTICATED };
/** Nothing but the registry's shared secret. */
const SHARED_SECRET = { ...each(PEOPLE, 401), ...each(TOKENS, 401), ...UNAUTHENTICATED };

// The targets of the routes that name one ({id}): refused callers aim at the victim, which must
// stay as it was; an allowed caller that changes or deletes one gets a fresh target.
const victims = {};
const GITHUB_CLAIMS = { repository_owner_id: GITHUB_OWNER_ID, repository: 'acme/app', ref: 'refs/heads/main' };
const webhookBody = (fields = {}) => ({ url: 'http://127.0.0.1:9/hook', events: ['access_token.created'], active: false, ...fields });
const connectionBody = (fields = {}) => ({
  name: 'CI', issuer: special.issuerUrl, audience: DEFAULT_AUDIENCE,
  rulesets: [{ name: 'main', conditions: GITHUB_CLAIMS, resources: [{ type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-pull'] }] }],
  ...fields,
});
const ITEMS = {
  token: {
    path: '/v2/orgs/acme/access-tokens',
    create: async () => (await server().createToken('acme', owner(), { label: 'target' })).id,
  },
  webhook: {
    path: '/v2/orgs/acme/webhooks',
    create: async () => created(await server().post('/v2/orgs/acme/webhooks', webhookBody(), { bearer: owner() })).id,
  },
  connection: {
    path: '/v2/orgs/acme/oidc-connections',
    create: async () => created(await server().post('/v2/orgs/acme/oidc-connections', connectionBody(), { bearer: owner() })).id,
  },
};
function created(r) {
  assert.equal(r.status, 201, String(r));
  return r.body;
}
async function removeItem(kind, id) {
  const r = await server().delete(`${ITEMS[kind].path}/${id}`, { bearer: owner() });
  assert.equal(r.status, 204, String(r));
}

const NEW_POLICY = { max_lifetime_days: 30, require_expiration: true, max_idle_days: 30 };
const NO_POLICY = { max_lifetime_days: null, require_expiration: false, max_idle_days: null };

/** A new session of USER (sign-in with "refresh": true): {access_token, refresh_token, ...}. */
async function openSession(user) {
  const r = await server().post('/v2/auth/token', { identifier: user, secret: password(user), refresh: true });
  assert.equal(r.status, 200, String(r));
  return r.body;
}

/** The username a bearer stands for, as GET /v2/user answers. */
async function whoIs(accessToken) {
  const r = await server().get('/v2/user', { bearer: accessToken });
  assert.equal(r.status, 200, String(r));
  return r.body.username;
}

/**
 * The matrix. Each row: METHOD and PATH (the route, as docs/openapi.yaml names it); EXPECT: the
 * answer per class (OK, 401, 403, 404); SUCCESS: the status of OK; ITEM: the kind of target an
 * {id} names, FRESH when an allowed call changes or deletes it; QUERY, BODY (a value, or
 * BODY(caller)); CALL(ctx) instead, for routes called otherwise; CHECK(reply, ctx): what success
 * means; WHY: what a 403's message says (default /access token/i); NOTE: for docs/security.md.
 * ctx = {path (the route with acme and the target filled in), auth, caller, id}.
 */
const MATRIX = [
  // Access tokens
  {
    method: 'POST', path: '/v2/orgs/{org}/access-tokens', expect: MANAGERS, success: 201,
    body: (caller) => tokenRequest('acme', { label: `by ${caller.who}`.slice(0, 100) }),
    check: async (r, { caller }) => {
      assertTokenShape(r.body, { single: true, secret: true });
      assert.equal(r.body.created_by, caller.user);
      await removeItem('token', r.body.id);  // keep within the Team quota
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/access-tokens', query: '?page=1&page_size=100', expect: MANAGERS, success: 200,
    check: (r) => {
      assertKeys(r.body, PAGE_KEYS, 'token list');
      assert.ok(r.body.results.some((t) => t.id === victims.token), 'lists the organization\'s tokens');
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/access-tokens/{id}', item: 'token', expect: MANAGERS, success: 200,
    check: (r) => assertTokenShape(r.body, { single: true }),
  },
  {
    method: 'PATCH', path: '/v2/orgs/{org}/access-tokens/{id}', item: 'token', fresh: true, expect: MANAGERS, success: 200,
    body: { label: 'renamed', is_active: false },
    check: (r) => {
      assertTokenShape(r.body, { single: true });
      assert.equal(r.body.label, 'renamed');
      assert.equal(r.body.is_active, false);
    },
  },
  {
    method: 'DELETE', path: '/v2/orgs/{org}/access-tokens/{id}', item: 'token', fresh: true, expect: MANAGERS, success: 204,
    check: async (r, { id }) => {
      assert.equal(r.text, '');
      assertDetailError(await server().get(`/v2/orgs/acme/access-tokens/${id}`, { bearer: owner() }), 404);
    },
  },
  {
    method: 'POST', path: '/v2/orgs/{org}/access-tokens/{id}/rotate', item: 'token', fresh: true, expect: MANAGERS, success: 200,
    body: {},
    check: (r, { id }) => {
      assertTokenShape(r.body, { single: true, secret: true });
      assert.equal(r.body.id, id);
      assert.notEqual(r.body.rotated_at, null);
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/access-tokens/{id}/usage', query: '?days=7', item: 'token', expect: MANAGERS, success: 200,
    check: (r) => assert.equal(r.body.days.length, 7),
  },
  {
    method: 'POST', path: '/v2/access-tokens/self/rotate', expect: SELF_ROTATION, success: 200, body: {},
    note: 'The token rotated is the bearer\'s own',
    check: async (r) => {
      assertTokenShape(r.body, { single: true, secret: true });
      assert.equal(r.body.id, special.acmeSelfId);
      // The bearer was got with the secret just replaced (no grace): sign in with the new one.
      special.acmeSelf = await signInSettled('acme', { id: r.body.id, token: r.body.token });
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/access-token-policy', expect: MANAGERS, success: 200,
    check: (r) => assert.deepEqual(r.body, NO_POLICY),
  },
  {
    method: 'PUT', path: '/v2/orgs/{org}/access-token-policy', expect: MANAGERS, success: 200, body: NEW_POLICY,
    check: async (r) => {
      assert.deepEqual(r.body, NEW_POLICY);
      const back = await server().request('PUT', '/v2/orgs/acme/access-token-policy', { json: NO_POLICY, bearer: owner() });
      assert.equal(back.status, 200, String(back));
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/usage', query: '?days=7', expect: MANAGERS, success: 200,
    check: (r) => assert.equal(r.body.days.length, 7),
  },
  // Webhooks
  {
    method: 'POST', path: '/v2/orgs/{org}/webhooks', expect: MANAGERS, success: 201, body: webhookBody(),
    check: async (r, { caller }) => {
      assert.match(r.body.secret, /^whsec_/);
      assert.equal(r.body.created_by, caller.user);
      await removeItem('webhook', r.body.id);
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/webhooks', expect: MANAGERS, success: 200,
    check: (r) => assert.ok(r.body.results.some((w) => w.id === victims.webhook), 'lists the webhooks'),
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/webhooks/{id}', item: 'webhook', expect: MANAGERS, success: 200,
    check: (r) => assert.equal(r.body.id, victims.webhook),
  },
  {
    method: 'PATCH', path: '/v2/orgs/{org}/webhooks/{id}', item: 'webhook', fresh: true, expect: MANAGERS, success: 200,
    body: { url: 'http://127.0.0.1:9/changed' },
    check: (r) => assert.equal(r.body.url, 'http://127.0.0.1:9/changed'),
  },
  {
    method: 'DELETE', path: '/v2/orgs/{org}/webhooks/{id}', item: 'webhook', fresh: true, expect: MANAGERS, success: 204,
    check: async (r, { id }) => assertDetailError(await server().get(`/v2/orgs/acme/webhooks/${id}`, { bearer: owner() }), 404),
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/webhooks/{id}/deliveries', item: 'webhook', expect: MANAGERS, success: 200,
    check: (r) => assert.deepEqual(r.body, { results: [] }),
  },
  {
    method: 'POST', path: '/v2/orgs/{org}/webhooks/{id}/test', item: 'webhook', fresh: true, expect: MANAGERS, success: 202,
    check: (r) => assert.equal(r.body.event, 'ping'),
  },
  // OIDC connections
  {
    method: 'POST', path: '/v2/orgs/{org}/oidc-connections', expect: MANAGERS, success: 201, body: () => connectionBody(),
    check: async (r, { caller }) => {
      assert.equal(r.body.created_by, caller.user);
      await removeItem('connection', r.body.id);
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/oidc-connections', expect: MANAGERS, success: 200,
    check: (r) => assert.ok(r.body.results.some((c) => c.id === victims.connection), 'lists the connections'),
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/oidc-connections/{id}', item: 'connection', expect: MANAGERS, success: 200,
    check: (r) => assert.equal(r.body.id, victims.connection),
  },
  {
    method: 'PATCH', path: '/v2/orgs/{org}/oidc-connections/{id}', item: 'connection', fresh: true, expect: MANAGERS, success: 200,
    body: { active: false },
    check: (r) => assert.equal(r.body.active, false),
  },
  {
    method: 'DELETE', path: '/v2/orgs/{org}/oidc-connections/{id}', item: 'connection', fresh: true, expect: MANAGERS, success: 204,
    check: async (r, { id }) => assertDetailError(await server().get(`/v2/orgs/acme/oidc-connections/${id}`, { bearer: owner() }), 404),
  },
  {
    method: 'GET', path: '/v2/orgs/{org}/oidc-connections/{id}/failures', item: 'connection', expect: MANAGERS, success: 200,
    check: (r) => assertKeys(r.body, ['failures'], 'failures'),
  },
  // Audit log
  {
    method: 'GET', path: '/v2/auditlogs/{org}', query: '?page=1&page_size=5', expect: AUDIT_READERS, success: 200,
    why: /activity log/,
    check: (r) => {
      assertKeys(r.body, ['total', 'next', 'previous', 'logs'], 'audit log page');
      assert.ok(r.body.total > 0, 'the log has events');
    },
  },
  {
    method: 'GET', path: '/v2/auditlogs/{org}/actions', expect: AFFILIATED, success: 200,
    check: (r) => assertKeys(r.body, ['actions'], 'audit actions'),
  },
  // What the console reads
  {
    method: 'GET', path: '/v2/user', expect: PEOPLE_ONLY, success: 200,
    check: (r, { caller }) => assert.equal(r.body.username, caller.user),
  },
  {
    method: 'GET', path: '/v2/user/orgs', expect: PEOPLE_ONLY, success: 200,
    check: (r, { caller }) => {
      const affiliated = caller.cls !== 'outsider';
      assert.equal(r.body.results.some((o) => o.orgname === 'acme'), affiliated, 'lists acme for its members and company owners');
    },
  },
  {
    method: 'GET', path: '/v2/orgs/{org}', expect: MEMBER_PEOPLE, success: 200,
    check: (r, { caller }) => {
      assert.equal(r.body.orgname, 'acme');
      // What the console is told agrees with the matrix.
      assert.equal(r.body.can_manage_tokens, MANAGERS[caller.cls] === OK, 'can_manage_tokens');
    },
  },
  {
    method: 'GET', path: '/v2/namespaces/{org}/repositories', query: '?page=1&page_size=100', expect: MEMBER_PEOPLE, success: 200,
    check: (r) => assert.ok(r.body.results.some((repo) => repo.name === 'app'), 'lists acme/app'),
  },
  // Sessions
  {
    method: 'POST', path: '/v2/auth/refresh', expect: SESSION_REFRESH, success: 200,
    note: 'A person renews a session of their own (signed in with "refresh": true); the others send what they hold from the console\'s page',
    call: async ({ path, auth, caller }) => {
      if (caller.user) {
        const session = await openSession(caller.user);
        return server().post(path, { refresh_token: session.refresh_token });
      }
      const json = caller.refreshToken ? { refresh_token: caller.refreshToken() } : undefined;
      return server().request('POST', path, { from: '127.0.0.1', ...auth, headers: { ...consolePage(), ...auth.headers }, json });
    },
    check: async (r, { caller }) => {
      assertKeys(r.body, ['access_token', 'expires_in'], 'refresh answer');
      assert.equal(await whoIs(r.body.access_token), caller.user ?? special.liveCookieUser);
    },
  },
  {
    method: 'POST', path: '/v2/auth/logout', expect: SESSION_LOGOUT, success: 204,
    note: 'A person ends a session of their own with its bearer; a cookie alone signs nothing out',
    call: async (ctx) => {
      const { path, auth, caller } = ctx;
      if (caller.user) {
        ctx.session = await openSession(caller.user);
        return server().post(path, undefined, { bearer: ctx.session.access_token });
      }
      const json = caller.refreshToken ? { refresh_token: caller.refreshToken() } : undefined;
      return server().request('POST', path, { ...auth, headers: { ...consolePage(), ...auth.headers }, json });
    },
    check: async (r, { session }) => {
      assertDetailError(await server().get('/v2/user', { bearer: session.access_token }), 401);
      assertDetailError(await server().post('/v2/auth/refresh', { refresh_token: session.refresh_token }), 401);
    },
  },
  // The registry's notifications
  {
    method: 'POST', path: '/registry/events', expect: SHARED_SECRET, success: 204,
    note: 'Only the registry\'s shared secret (`--registry-events-secret-file`) opens it',
    body: {
      events: [{
        action: 'push', actor: { name: 'acme' }, request: { addr: '127.0.0.1' },
        target: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', repository: 'acme/pushed-in' },
      }],
    },
  },
];

/**
 * The routes public by design: what they take instead, and one test each that they answer
 * without a bearer (PROBE(): the reply, and its SUCCESS status).
 */
const PUBLIC = [
  {
    method: 'POST', path: '/v2/auth/token', success: 200,
    takes: 'a password, or an access token\'s secret; rate-limited',
    probe: () => server().post('/v2/auth/token', { identifier: 'member', secret: password('member') }),
  },
  {
    method: 'POST', path: '/v2/users/login', success: 200,
    takes: 'a password (Docker\'s older sign-in; an access token is refused)',
    probe: () => server().post('/v2/users/login', { username: 'member', password: password('member') }),
  },
  {
    method: 'GET', path: '/token', success: 200,
    takes: 'Basic credentials of an access token for its scopes; anonymous: pulls of public repositories',
    probe: () => server().tokenService({ scopes: ['repository:acme/docs:pull'] }),
  },
  {
    method: 'POST', path: '/token', success: 200,
    takes: 'the same, as an OAuth form',
    probe: () => server().request('POST', '/token', {
      body: new URLSearchParams({
        grant_type: 'password', username: 'bizco', password: special.bizcoSecret, service: 'oat-registry',
        scope: 'repository:bizco/app:pull',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  },
  {
    method: 'POST', path: '/v2/oidc/token', success: 200,
    takes: 'a CI job\'s OIDC ID token that a connection\'s rulesets accept',
    probe: async () => exchange(await special.issuer.mint()),
  },
  {
    method: 'POST', path: '/v2/access-tokens/revoke', success: 202,
    takes: 'nothing: anyone who finds a leaked token reports it; rate-limited; the answer tells nothing',
    probe: () => server().post('/v2/access-tokens/revoke', { tokens: [`dckr_oat_${'A'.repeat(32)}`] }),
  },
  { method: 'GET', path: '/healthz', success: 200, takes: 'nothing', probe: () => server().get('/healthz') },
  {
    method: 'GET', path: '/metrics', success: 200,
    takes: 'nothing (expose it to monitoring only: [operations.md](operations.md))',
    probe: () => server().get('/metrics'),
  },
  {
    method: 'GET', path: '/config.json', success: 200,
    takes: 'nothing (the console\'s settings, served with `--console` and `--registry-host`)',
    probe: () => server().get('/config.json'),
  },
];

// ---------------------------------------------------------------------------------------------
// docs/security.md's copy of the matrix
// ---------------------------------------------------------------------------------------------

const BEGIN = '<!-- authorization matrix: begin (printed by node tests/api/authorization.test.mjs --print-matrix) -->';
const END = '<!-- authorization matrix: end -->';
const cell = (answer) => (answer === OK ? '✓' : String(answer));

/** The matrix in Markdown, between BEGIN and END: the walked routes, the classes, the public routes. */
function renderMatrix() {
  const classes = Object.keys(CLASSES);
  const lines = [BEGIN, ''];
  lines.push(`| Route | ${classes.map((c) => CLASSES[c].title).join(' | ')} |`);
  lines.push(`|---|${classes.map(() => ':-:').join('|')}|`);
  const notes = [];
  for (const e of MATRIX) {
    let route = `\`${e.method} ${e.path}\``;
    if (e.note) {
      notes.push(e.note);
      route += ` [${notes.length}]`;
    }
    lines.push(`| ${route} | ${classes.map((c) => cell(e.expect[c])).join(' | ')} |`);
  }
  lines.push('');
  lines.push('✓: allowed (the route\'s success status). Notes:');
  lines.push('');
  notes.forEach((n, i) => lines.push(`${i + 1}. ${n}.`));
  lines.push('');
  lines.push('The classes, and the callers the test walks in each:');
  lines.push('');
  for (const c of classes) {
    const who = CALLERS.filter((k) => k.cls === c).map((k) => k.who);
    lines.push(`- **${CLASSES[c].title}**: ${CLASSES[c].about}. Walked as: ${who.join('; ')}.`);
  }
  lines.push('');
  lines.push('Public by design (one test each that it answers without a bearer):');
  lines.push('');
  lines.push('| Route | What it takes instead |');
  lines.push('|---|---|');
  for (const p of PUBLIC) lines.push(`| \`${p.method} ${p.path}\` | ${p.takes} |`);
  lines.push('', END);
  return lines.join('\n');
}

if (PRINTING) {
  console.log(renderMatrix());
} else {
  world = useWorld({
    signIn: ['owner', 'companyowner', 'tokenmgr', 'editor', 'member', 'viewer', 'otherowner', 'outsider'],
    serveArgs: async (w) => {
      const ca = await issuerAuthority(w.dir);
      special.issuer = await startIssuer(w.dir, { alg: 'RS256', ca });
      special.issuerUrl = special.issuer.url;
      const eventsSecret = join(w.dir, 'registry-events-secret');
      writeFileSync(eventsSecret, crypto.randomBytes(24).toString('hex'));
      const site = join(w.dir, 'console');
      mkdirSync(site);
      writeFileSync(join(site, 'index.html'), '<h1>console</h1>');
      return ['--oidc-issuer', special.issuerUrl, '--oidc-ca-file', ca.certFile,
        '--registry-events-secret-file', eventsSecret, '--console', site, '--registry-host', 'registry.example.com'];
    },
    setup,
    teardown: async () => special.issuer?.stop(),
  });
  defineTests();
}

// ---------------------------------------------------------------------------------------------
// Setup: the special callers' credentials, and the victims
// ---------------------------------------------------------------------------------------------

/** The sign-ins ORG's token ID has made, as its usage says (over the 90 days it keeps). */
async function signInsOf(org, id) {
  const as = org === 'globex' ? world.bearers.otherowner : owner();
  const r = await server().get(`/v2/orgs/${org}/access-tokens/${id}/usage?days=90`, { bearer: as });
  assert.equal(r.status, 200, String(r));
  return r.body.days.reduce((n, d) => n + d.sign_ins, 0);
}

/**
 * A bearer of TOKEN ({id, token}) of ORG, once its sign-in is written ("last used" lands within
 * a second): no test's before-and-after snapshot sees it land.
 */
async function signInSettled(org, token) {
  const before = await signInsOf(org, token.id);
  const got = await server().signIn(org, token.token);
  await waitFor(async () => (await signInsOf(org, token.id)) > before, `the sign-in of ${org}'s token to be recorded`);
  return got;
}

/** POST /v2/oidc/token with the token-exchange grant: ID_TOKEN at the victim connection. */
function exchange(idToken) {
  return server().request('POST', '/v2/oidc/token', {
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      connection_id: victims.connection,
      subject_token: idToken,
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** A console sign-in of USER from the console's own page; the "oat_session=..." cookie pair and the bearer. */
async function consoleSession(user) {
  const r = await server().request('POST', '/v2/auth/token', {
    json: { identifier: user, secret: password(user), refresh: true }, headers: consolePage(), from: '127.0.0.1',
  });
  assert.equal(r.status, 200, String(r));
  const cookie = String(r.headers['set-cookie']).split(';')[0];
  assert.match(cookie, /^oat_session=./);
  return { cookie, bearer: r.body.access_token };
}

async function setup() {
  const b = world.bearers;
  // Ended bearers of tokens, in bizco (so that acme's Team quota keeps room for the targets);
  // first the one made to expire, whose expiry the rest of the setup waits out.
  const bizco = async (fields = {}) => {
    const t = await server().createToken('bizco', b.owner, fields);
    return { ...t, bearer: await server().signIn('bizco', t.token) };
  };
  const expiresAt = Math.floor(Date.now() / 1000) * 1000 + 3000;  // whole seconds, as the API keeps them
  special.expiredToken = (await bizco({ expires_at: rfc3339(expiresAt) })).bearer;
  const deactivated = await bizco();
  assert.equal((await server().patch(`/v2/orgs/bizco/access-tokens/${deactivated.id}`, { is_active: false }, { bearer: b.owner })).status, 200);
  special.deactivated = deactivated.bearer;
  const deleted = await bizco();
  assert.equal((await server().delete(`/v2/orgs/bizco/access-tokens/${deleted.id}`, { bearer: b.owner })).status, 204);
  special.deleted = deleted.bearer;
  const rotated = await bizco();
  assert.equal((await server().post(`/v2/orgs/bizco/access-tokens/${rotated.id}/rotate`, {}, { bearer: b.owner })).status, 200);
  special.rotated = rotated.bearer;
  special.allowListed = (await bizco({ allowed_cidrs: ['127.0.0.1/32'] })).bearer;
  special.bizcoSecret = (await server().createToken('bizco', b.owner, { label: 'registry' })).token;

  // The organization's tokens, signed in; their sign-ins recorded before any snapshot.
  const orgScopes = ['scope-member-edit', 'scope-invite-edit', 'scope-group-edit', 'scope-siem_credentials-read',
    'scope-ram-write', 'scope-report-read', 'scope-repository-create', 'scope-repository-list', 'scope-registry-usage-read'];
  const acmeTokens = {
    acmeOat: {},
    acmeOrgScopes: { resources: [{ type: 'TYPE_ORG', path: 'acme', scopes: orgScopes }] },
    acmeActivity: { resources: [{ type: 'TYPE_ORG', path: 'acme', scopes: ['scope-activity-read'] }] },
    acmeSelf: { allow_self_rotation: true },
  };
  await Promise.all(Object.entries(acmeTokens).map(async ([name, fields]) => {
    const t = await server().createToken('acme', b.owner, { label: name, ...fields });
    special[name] = await signInSettled('acme', t);
    if (name === 'acmeOat') special.acmeOatSecret = t.token;
    if (name === 'acmeSelf') special.acmeSelfId = t.id;
  }));
  special.globexOat = await server().signIn('globex', (await server().createToken('globex', b.otherowner)).token);

  // Sessions: a live console session (its cookie), a signed-out session (its bearer and refresh
  // token), a signed-out console session (its cookie).
  special.liveCookieUser = 'member';
  special.liveCookie = (await consoleSession('member')).cookie;
  const session = await openSession('owner');
  assert.equal((await server().post('/v2/auth/logout', { refresh_token: session.refresh_token })).status, 204);
  special.signedOut = session.access_token;
  special.signedOutRefresh = session.refresh_token;
  const ended = await consoleSession('owner');
  const out = await server().request('POST', '/v2/auth/logout', { bearer: ended.bearer, headers: consolePage() });
  assert.equal(out.status, 204, String(out));
  special.signedOutCookie = ended.cookie;

  // Forged bearers: the owner's claims re-signed, changed or unsigned.
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

  // Foreign JWTs: the server's own registry token, an exchanged access token, a CI's ID token.
  const registry = await server().tokenService({ scopes: ['repository:acme/docs:pull'] });
  assert.equal(registry.status, 200, String(registry));
  special.registryToken = registry.body.token;

  // The victims, which refused callers aim at.
  victims.token = (await server().createToken('acme', b.owner, { label: 'victim' })).id;
  victims.webhook = created(await server().post('/v2/orgs/acme/webhooks', webhookBody({ url: 'http://127.0.0.1:9/victim' }), { bearer: b.owner })).id;
  victims.connection = created(await server().post('/v2/orgs/acme/oidc-connections', connectionBody({ name: 'victim' }), { bearer: b.owner })).id;
  special.idToken = await special.issuer.mint();
  const exchanged = await exchange(await special.issuer.mint());
  assert.equal(exchanged.status, 200, String(exchanged));
  special.exchanged = exchanged.body.access_token;

  // The token made to expire has.
  await sleep(Math.max(0, expiresAt + 100 - Date.now()));
}

// ---------------------------------------------------------------------------------------------
// "Nothing changed"
// ---------------------------------------------------------------------------------------------

/** Whether the live console session still renews (the status of a refresh with its cookie). */
async function liveSessionRenews() {
  const r = await server().request('POST', '/v2/auth/refresh', {
    headers: { ...consolePage(), Cookie: special.liveCookie }, from: '127.0.0.1',
  });
  return r.status;
}

// The snapshot a refusal test took after its request, handed to the test right after it as its
// "before" (nothing runs between two tests), so that a walk of refusals reads each state once.
// A change that lands after a test's last look is then seen by the next test, never missed.
let lastAfter = null;
let handedOver = null;
if (!PRINTING) {
  beforeEach(() => {
    handedOver = lastAfter;
    lastAfter = null;
  });
}

/** A refused request, and what it changed: the state before it, the reply, the state after it. */
async function refused(request) {
  const before = handedOver ?? await snapshot();
  const reply = await request();
  lastAfter = await snapshot();
  return { before, reply, after: lastAfter };
}

/** What a refused request could change, read as the owner: equal snapshots, nothing changed. */
async function snapshot() {
  const read = async (path) => {
    const r = await server().get(path, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    return r.body;
  };
  const [tokens, auditLog, policy, webhooks, deliveries, connections, repositories, session] = await Promise.all([
    server().tokens('acme', owner()),
    read('/v2/auditlogs/acme?page=1&page_size=1').then((b) => ({ total: b.total, newest: b.logs[0] })),
    read('/v2/orgs/acme/access-token-policy'),
    read('/v2/orgs/acme/webhooks').then((b) => b.results),
    read(`/v2/orgs/acme/webhooks/${victims.webhook}/deliveries`).then((b) => b.results.map((d) => d.id)),
    read('/v2/orgs/acme/oidc-connections').then((b) => b.results),
    read('/v2/namespaces/acme/repositories?page=1&page_size=100').then((b) => b.results.map((r) => r.name)),
    liveSessionRenews(),
  ]);
  return { tokens, auditLog, policy, webhooks, deliveries, connections, repositories, session };
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

/** The route's path for acme and target ID, with its query. */
const concrete = (e, id) =>
  e.path.replace('{org}', 'acme').replace('{id}', id ?? '') + (e.query ?? '');

function callRoute(e, ctx) {
  if (e.call) return e.call(ctx);
  const json = typeof e.body === 'function' ? e.body(ctx.caller) : e.body;
  return server().request(e.method, ctx.path, { json, ...ctx.auth });
}

function defineTests() {
  test('control: a JWT the test signs with the server\'s key and a future exp is accepted', async () => {
    // The forged bearers are refused for what was changed in them (exp, alg, signature, claims),
    // not because the test cannot sign.
    assert.equal((await server().get('/v2/orgs/acme/access-tokens', { bearer: special.selfSigned })).status, 200);
  });

  test('every route oatd registers and docs/openapi.yaml documents is in the matrix or public; every class has a caller', () => {
    const listed = [...MATRIX, ...PUBLIC].map((e) => `${e.method} ${e.path}`);
    // The router's registrations in the sources: router.add("GET", "/path", ...) and the
    // route("GET", kList, ...) of files that name their paths kList and kItem.
    const registered = [];
    const sources = join(ROOT, 'native/src');
    for (const file of [...readdirSync(join(sources, 'api')).map((f) => join('api', f)), 'main.cpp']) {
      if (!file.endsWith('.cpp')) continue;
      const text = readFileSync(join(sources, file), 'utf8');
      const constants = Object.fromEntries([...text.matchAll(/constexpr const char\* (k\w+) = "([^"]+)";/g)].map((m) => [m[1], m[2]]));
      for (const m of text.matchAll(/(?:router\.add|\broute)\(\s*"([A-Z]+)",\s*(?:"([^"]+)"|(k\w+))/g)) {
        registered.push(`${m[1]} ${(m[2] ?? constants[m[3]]).replace('{account}', '{org}')}`);
      }
    }
    // The document's paths ("  /path:") and their operations ("    get:").
    const documented = [];
    let path;
    for (const line of readFileSync(join(ROOT, 'docs/openapi.yaml'), 'utf8').split('\n')) {
      if (/^\S/.test(line)) path = undefined;
      const p = /^ {2}(\/\S*):\s*$/.exec(line);
      if (p) path = p[1];
      const m = /^ {4}(get|put|post|patch|delete):/.exec(line);
      if (m && path) documented.push(`${m[1].toUpperCase()} ${path}`);
    }
    assert.ok(registered.length > 30, `found the router's registrations: ${registered.length}`);
    assert.deepEqual([...registered].sort(), [...listed].sort(), 'the routes oatd registers, and those of the matrix');
    assert.deepEqual([...documented].sort(), [...listed].sort(), 'the routes docs/openapi.yaml documents, and those of the matrix');
    for (const c of Object.keys(CLASSES)) assert.ok(CALLERS.some((k) => k.cls === c), `a caller of class ${c}`);
    for (const e of MATRIX) assert.deepEqual(Object.keys(e.expect).sort(), Object.keys(CLASSES).sort(), `${e.method} ${e.path}: every class`);
  });

  test('docs/security.md shows this matrix (node tests/api/authorization.test.mjs --print-matrix)', () => {
    const doc = readFileSync(SECURITY_MD, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    assert.ok(start >= 0 && end > start, 'docs/security.md holds the matrix between its markers');
    assert.equal(doc.slice(start, end + END.length), renderMatrix(),
      'docs/security.md\'s matrix differs: paste the output of node tests/api/authorization.test.mjs --print-matrix');
  });

  for (const e of MATRIX) {
    const route = `${e.method} ${e.path}`;
    for (const caller of CALLERS) {
      const expected = e.expect[caller.cls];
      if (expected === OK) {
        test(`${route}: ${caller.who}: ${e.success}`, async () => {
          const id = e.item && (e.fresh ? await ITEMS[e.item].create() : victims[e.item]);
          const ctx = { path: concrete(e, id), auth: caller.auth(), caller, id };
          const r = await callRoute(e, ctx);
          assert.equal(r.status, e.success, String(r));
          await e.check?.(r, ctx);
          if (e.fresh && e.success !== 204) await removeItem(e.item, id);
        });
      } else {
        test(`${route}: ${caller.who}: ${expected}`, async () => {
          const id = e.item && victims[e.item];
          const { before, reply: r, after } = await refused(() =>
            callRoute(e, { path: concrete(e, id), auth: caller.auth(), caller, id }));
          assertDetailError(r, expected);
          if (expected === 403) assert.match(r.body.message, e.why ?? /access token/i, 'says why');
          if (expected === 404) assert.match(r.body.message, /not found/i);
          assert.deepEqual(after, before, 'a refused request changes nothing');
        });
      }
    }
  }

  for (const p of PUBLIC) {
    test(`${p.method} ${p.path}: public, no credentials: ${p.success}`, async () => {
      const r = await p.probe();
      assert.equal(r.status, p.success, String(r));
    });
  }

  for (const e of MATRIX.filter((row) => row.path.includes('{org}'))) {
    test(`${e.method} ${e.path}: an outsider's 404 equals that of an organization that does not exist`, async () => {
      const id = e.item && victims[e.item];
      const json = typeof e.body === 'function' ? e.body(CALLERS[0]) : e.body;
      const outsider = await server().request(e.method, concrete(e, id), { json, bearer: world.bearers.outsider });
      const missing = await server().request(e.method, concrete(e, id).replace('/acme', '/nosuchorg'), { json, bearer: owner() });
      assertDetailError(outsider, 404);
      assert.deepEqual(outsider.body, missing.body);
    });
  }

  // An id is looked up within the organization the path names: who manages one organization
  // reaches nothing of another by naming its ids under their own.
  for (const e of MATRIX.filter((row) => row.item)) {
    test(`${e.method} ${e.path}: the owner of another organization naming acme's ${e.item} under their own: 404, nothing changed`, async () => {
      const json = typeof e.body === 'function' ? e.body(CALLERS[0]) : e.body;
      const { before, reply: r, after } = await refused(() => server().request(e.method,
        concrete(e, victims[e.item]).replace('/acme/', '/globex/'), { json, bearer: world.bearers.otherowner }));
      assertDetailError(r, 404);
      assert.match(r.body.message, /^(Access token|Webhook|Connection) not found\.$/);
      assert.deepEqual(after, before, 'a refused request changes nothing');
    });
  }

  test('POST /v2/auth/refresh: a person\'s live bearer alone, from the console\'s page, renews nothing: 401', async () => {
    const r = await server().request('POST', '/v2/auth/refresh', {
      bearer: (await openSession('member')).access_token, headers: consolePage(), from: '127.0.0.1',
    });
    assertDetailError(r, 401);
    assert.equal(r.body.access_token, undefined);
  });

  test('a console session cookie\'s value is its session\'s refresh token: from any client it renews the session until signed out', async () => {
    // What a leaked cookie gives (docs/security.md): the cookie's guards (HttpOnly, SameSite,
    // the console's header and origin) keep other sites from using it, not its holder.
    const { cookie, bearer: own } = await consoleSession('viewer');
    const value = cookie.slice('oat_session='.length);
    const renewed = await server().post('/v2/auth/refresh', { refresh_token: value });
    assert.equal(renewed.status, 200, String(renewed));
    assert.equal(await whoIs(renewed.body.access_token), 'viewer');
    assert.equal((await server().post('/v2/auth/logout', undefined, { bearer: own })).status, 204);
    assertDetailError(await server().post('/v2/auth/refresh', { refresh_token: value }), 401);
    assertDetailError(await server().get('/v2/user', { bearer: renewed.body.access_token }), 401);
  });

  test('permissions are checked on every request: an owner demoted to member is refused at once with the same bearer', async () => {
    await admin(world.db, ['user', 'add', 'demoted'], { input: password('demoted') });
    await admin(world.db, ['member', 'add', 'acme', 'demoted', '--role', 'owner']);
    const demoted = await server().signIn('demoted');
    assert.equal((await server().get('/v2/orgs/acme/access-tokens', { bearer: demoted })).status, 200);
    await admin(world.db, ['member', 'add', 'acme', 'demoted', '--role', 'member']);
    assertDetailError(await server().get('/v2/orgs/acme/access-tokens', { bearer: demoted }), 403);
  });

  test('permissions are checked on every request: a member promoted to a role that may manage tokens is allowed at once', async () => {
    await admin(world.db, ['user', 'add', 'promoted'], { input: password('promoted') });
    await admin(world.db, ['member', 'add', 'acme', 'promoted', '--role', 'member']);
    const promoted = await server().signIn('promoted');
    assertDetailError(await server().get('/v2/orgs/acme/access-tokens', { bearer: promoted }), 403);
    await admin(world.db, ['member', 'add', 'acme', 'promoted', '--role', 'token-managers']);
    assert.equal((await server().get('/v2/orgs/acme/access-tokens', { bearer: promoted })).status, 200);
  });
}
