// CI sign-in without secrets (docs/oidc.md): OIDC connections and the token exchange.
//   GET/POST /v2/orgs/{org}/oidc-connections, GET/PATCH/DELETE .../oidc-connections/{id},
//   GET .../oidc-connections/{id}/failures, POST /v2/oidc/token, and the exchanged token at the
//   registry's token service.
// ID tokens come from real issuers (tests/lib/oidc_issuer.mjs: oauth2-mock-server over HTTPS,
// with a throwaway authority oatd trusts through --oidc-ca-file); the operator's list of issuers
// (--oidc-issuer, repeated) holds them, GitHub's and GitLab's, and issuers that cannot be
// reached (a port that never answers, a closed port, an issuer that never answers over HTTPS,
// one whose certificate is not trusted, one that redirects, one whose JWKS is too large).
//
// A key the issuer rotates in is picked up once oatd fetches its keys again, which it does for an
// unknown kid at most once a minute: longer than this file may take, so that test is the
// registry's (tests/registry/oidc.test.mjs).
//
// Every refused exchange comes from a client address of its own (freshClientAddress), so that
// the exchange's rate limit (20 refusals an address) is met only where a test means to; every
// test whose registry sign-ins fail forgets the sign-in failures afterwards, so that the
// organization's name is never locked out for the tests after it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { runSql } from '../lib/database.mjs';
import {
  DEFAULT_AUDIENCE, GITHUB_OWNER_ID, GITLAB_NAMESPACE_ID, closedPort, decodeIdToken, issuerAuthority,
  startBlackhole, startIssuer, startRedirector, tamper,
} from '../lib/oidc_issuer.mjs';
import {
  TIME_RE, assertDetailError, assertFieldError, assertKeys, decodeJwt, freshClientAddress, sleep,
  useWorld, waitFor,
} from './harness.mjs';

const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const AUD = DEFAULT_AUDIENCE;
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const CONNECTION_KEYS = ['id', 'name', 'issuer', 'audience', 'active', 'rulesets', 'version', 'created_at',
  'created_by', 'updated_at', 'last_exchange_at'];
const RULESET_KEYS = ['name', 'conditions', 'resources', 'max_lifetime_seconds'];

// The issuers, started before oatd (their URLs are its --oidc-issuer list):
//   main      RS256, trusted: most tests        es        ES256, trusted (GitLab-shaped tokens)
//   target    RS256, trusted: what `redirect` points at
//   untrusted RS256, an authority oatd does not trust
//   redirect  answers every request with a 302 to `target`
//   bloated   RS256, trusted, its JWKS over 256 KiB
//   stalled   RS256, trusted, takes requests and never answers
//   hole      a TCP port that accepts and never answers    closed    a port nothing listens on
const issuers = {};

const world = useWorld({
  signIn: ['owner', 'editor', 'member', 'tokenmgr', 'viewer', 'companyowner', 'otherowner', 'outsider'],
  serveArgs: async (w) => {
    const ca = await issuerAuthority(w.dir);
    issuers.main = await startIssuer(w.dir, { alg: 'RS256', ca });
    issuers.es = await startIssuer(w.dir, { alg: 'ES256', ca });
    issuers.target = await startIssuer(w.dir, { alg: 'RS256', ca });
    issuers.untrusted = await startIssuer(w.dir, { alg: 'RS256' });  // an authority of its own
    issuers.redirect = await startRedirector(w.dir, { ca, to: issuers.target.url });
    issuers.bloated = await startIssuer(w.dir, { alg: 'RS256', ca });
    await issuers.bloated.bloatJwks(300 * 1024);
    issuers.stalled = await startIssuer(w.dir, { alg: 'RS256', ca });
    issuers.stalled.stalled = true;
    issuers.hole = await startBlackhole();
    issuers.slow = await startBlackhole();  // for the test of exchanges waiting on one fetch
    issuers.closed = await closedPort();
    const urls = [GITHUB, GITLAB, ...['main', 'es', 'target', 'untrusted', 'redirect', 'bloated',
      'stalled', 'hole', 'slow', 'closed'].map((name) => issuers[name].url)];
    return [...urls.flatMap((url) => ['--oidc-issuer', url]), '--oidc-ca-file', ca.certFile];
  },
  teardown: async () => {
    for (const issuer of Object.values(issuers)) await issuer.stop?.();
  },
});
const server = () => world.server;
const owner = () => world.bearers.owner;
const as = (user) => ({ bearer: world.bearers[user] });

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

function connections(org = 'acme') {
  return `/v2/orgs/${org}/oidc-connections`;
}
const connectionPath = (id, org = 'acme') => `${connections(org)}/${id}`;
const repo = (path, ...scopes) => ({ type: 'TYPE_REPO', path, scopes });

/** A ruleset that holds for the issuer's default (GitHub-shaped) token: acme/app's main branch. */
function ruleset(fields = {}) {
  return {
    name: 'release on main',
    conditions: { repository_owner_id: GITHUB_OWNER_ID, repository: 'acme/app', ref: 'refs/heads/main' },
    resources: [repo('acme/app', 'scope-image-push')],
    ...fields,
  };
}

/** A valid create body: the main issuer, the default audience, one ruleset(); FIELDS override. */
function connectionBody(fields = {}) {
  return { name: 'GitHub Actions', issuer: issuers.main.url, audience: AUD, rulesets: [ruleset()], ...fields };
}

/** Creates a connection of ORG as BEARER; the 201 body. Deleted after CTX (when given). */
async function createConnection(ctx, body = connectionBody(), { org = 'acme', bearer = owner() } = {}) {
  const r = await server().post(connections(org), body, { bearer });
  assert.equal(r.status, 201, String(r));
  assertConnection(r.body, body);
  if (ctx) ctx.after(() => server().delete(connectionPath(r.body.id, org), { bearer }).catch(() => {}));
  return r.body;
}

/** A connection answer, key by key; with BODY (what was sent), the fields it must echo. */
function assertConnection(c, body) {
  assertKeys(c, CONNECTION_KEYS, 'connection');
  assert.equal(typeof c.id, 'string');
  assert.ok(c.id.length > 0, 'id');
  assert.ok(['number', 'string'].includes(typeof c.version), `version: ${c.version}`);
  assert.match(c.created_at, TIME_RE);
  assert.match(c.updated_at, TIME_RE);
  assert.equal(typeof c.created_by, 'string');
  if (c.last_exchange_at !== null) assert.match(c.last_exchange_at, TIME_RE);
  for (const r of c.rulesets) assertKeys(r, RULESET_KEYS, 'ruleset');
  if (!body) return;
  assert.equal(c.name, body.name);
  assert.equal(c.issuer, body.issuer);
  assert.equal(c.audience, body.audience);
  assert.equal(c.active, body.active ?? true);
  assert.deepEqual(c.rulesets, body.rulesets.map((r) => ({ max_lifetime_seconds: 3600, ...r })));
}

async function listConnections(org = 'acme', bearer = owner()) {
  const r = await server().get(connections(org), { bearer });
  assert.equal(r.status, 200, String(r));
  assertKeys(r.body, ['results'], 'connection list');
  return r.body.results;
}

/** A 400 {fields, text} with a field named FIELD or under it (FIELD[0]..., FIELD.x). */
function assertRefusedField(reply, field, what = '') {
  assert.equal(reply.status, 400, `${what}: ${reply}`);
  assertKeys(reply.body, ['fields', 'text'], `error body (${what})`);
  const names = Object.keys(reply.body.fields);
  const named = names.filter((n) => n === field || n.startsWith(`${field}[`) || n.startsWith(`${field}.`));
  assert.ok(named.length > 0, `${what}: a field under "${field}" is named: ${reply.text}`);
  return named.flatMap((n) => assertFieldError(reply, n));
}

// ---------------------------------------------------------------------------------------------
// The exchange
// ---------------------------------------------------------------------------------------------

/** FIELDS form-encoded; an array is the field repeated, undefined leaves it out. */
function form(fields) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  return params.toString();
}

/**
 * POST /v2/oidc/token with the token-exchange grant and the ID token type, then FIELDS (which
 * may replace or, as undefined, leave out either); from a client address of its own unless FROM.
 */
function exchange(fields, { from = freshClientAddress() } = {}) {
  return server().request('POST', '/v2/oidc/token', {
    body: form({ grant_type: GRANT_TYPE, subject_token_type: ID_TOKEN_TYPE, ...fields }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    from,
  });
}

/** The exchange of TOKEN at CONNECTION (FIELDS: more form fields). */
function exchangeFor(connection, token, fields = {}, options) {
  return exchange({ connection_id: connection.id, subject_token: token, ...fields }, options);
}

/** A 200 of the exchange, exactly its four fields, EXPIRESIN given; the access token. */
function assertGranted(reply, expiresIn = 300) {
  assert.equal(reply.status, 200, String(reply));
  assertKeys(reply.body, ['access_token', 'issued_token_type', 'token_type', 'expires_in'], 'exchange answer');
  assert.equal(reply.body.issued_token_type, ACCESS_TOKEN_TYPE);
  assert.equal(reply.body.token_type, 'Bearer');
  assert.equal(reply.body.expires_in, expiresIn, 'expires_in');
  assert.equal(typeof reply.body.access_token, 'string');
  assert.ok(reply.body.access_token.length > 0, 'access_token');
  return reply.body.access_token;
}

/** A refusal of the exchange: 400 exactly {error, error_description}, the error one of ERRORS. */
function assertRefused(reply, ...errors) {
  assert.equal(reply.status, 400, String(reply));
  assertKeys(reply.body, ['error', 'error_description'], 'refusal');
  assert.ok(errors.includes(reply.body.error), `error ${reply.body.error}, expected ${errors.join(' or ')}: ${reply}`);
  assert.equal(typeof reply.body.error_description, 'string');
  assert.ok(reply.body.error_description.length > 0, 'error_description');
}

/** A 503 {"error":"temporarily_unavailable"} (an error_description is allowed). */
function assertUnavailable(reply) {
  assert.equal(reply.status, 503, String(reply));
  assert.equal(reply.body?.error, 'temporarily_unavailable', String(reply));
  assert.ok(Object.keys(reply.body).every((k) => ['error', 'error_description'].includes(k)), String(reply));
}

/** The registry grant of SECRET as USER for SCOPES: the registry token's `access`, sorted by name. */
async function grantOf(secret, scopes, user = 'acme') {
  const r = await server().tokenService({ user, secret, scopes });
  assert.equal(r.status, 200, String(r));
  return sortedAccess(decodeJwt(r.body.token).payload.access);
}
const sortedAccess = (access) => [...access].sort((a, b) => a.name.localeCompare(b.name));

/** The registry's token service refuses SECRET as USER with a 401. */
async function assertSignInRefused(secret, user = 'acme') {
  const r = await server().tokenService({ user, secret, scopes: ['repository:acme/app:pull'] });
  assert.equal(r.status, 401, String(r));
  assert.equal(r.body?.errors?.[0]?.code, 'UNAUTHORIZED', String(r));
}

/** Forgets every failed sign-in (so that the organization's name is not locked for later tests). */
const forgetSignInFailures = () => runSql(world.db, 'DELETE FROM sign_in_failures');

async function failuresOf(connection, org = 'acme') {
  const r = await server().get(`${connectionPath(connection.id, org)}/failures`, { bearer: owner() });
  assert.equal(r.status, 200, String(r));
  assertKeys(r.body, ['failures'], 'failures answer');
  for (const f of r.body.failures) {
    assertKeys(f, ['at', 'reason', 'claims', 'mismatches'], 'failure');
    assert.match(f.at, TIME_RE);
    assert.equal(typeof f.reason, 'string');
    assert.ok(f.reason.length > 0, 'reason');
    assert.ok(f.claims && typeof f.claims === 'object' && !Array.isArray(f.claims), 'claims is an object');
    assert.ok(Array.isArray(f.mismatches), 'mismatches is a list');
    for (const m of f.mismatches) assertKeys(m, ['ruleset', 'claim', 'expected', 'got'], 'mismatch');
  }
  return r;
}

/** The audit events of ACTION in ORG (the newest 100): the Reply (logs in body.logs, raw text). */
async function auditOf(action, org = 'acme') {
  const r = await server().get(`/v2/auditlogs/${org}?action=${action}&page=1&page_size=100`, { bearer: owner() });
  assert.equal(r.status, 200, String(r));
  return r;
}

/** TEXT holds none of TOKENS, nor any token's signature. */
function assertNoTokenIn(text, tokens, what) {
  for (const token of tokens) {
    assert.ok(!text.includes(token), `${what} holds a token`);
    const signature = token.split('.')[2];
    if (signature) assert.ok(!text.includes(signature), `${what} holds a token's signature`);
  }
}

const now = () => Math.floor(Date.now() / 1000);

// =============================================================================================

describe('managing connections', () => {
  test('a connection is created, read, listed, edited (its version moves) and deleted', async (ctx) => {
    const body = connectionBody({
      rulesets: [
        ruleset({ max_lifetime_seconds: 900 }),
        ruleset({ name: 'any branch, pull', conditions: { repository_owner_id: GITHUB_OWNER_ID, repository: 'acme/*' },
          resources: [repo('acme/web', 'scope-image-pull')] }),
      ],
    });
    const created = await createConnection(ctx, body);
    assert.equal(created.created_by, 'owner');
    assert.equal(created.last_exchange_at, null);
    assert.equal(created.active, true, 'active by default');
    assert.equal(created.rulesets[1].max_lifetime_seconds, 3600, 'max_lifetime_seconds defaults to 3600');

    const one = await server().get(connectionPath(created.id), { bearer: owner() });
    assert.equal(one.status, 200, String(one));
    assert.deepEqual(one.body, created);
    assert.ok((await listConnections()).some((c) => c.id === created.id));

    const edited = await server().patch(connectionPath(created.id), { name: 'Release', active: false }, { bearer: owner() });
    assert.equal(edited.status, 200, String(edited));
    assertConnection(edited.body);
    assert.deepEqual([edited.body.name, edited.body.active], ['Release', false]);
    assert.notEqual(edited.body.version, created.version, 'the version moves on a change');
    assert.deepEqual(edited.body.rulesets, created.rulesets);
    assert.equal(edited.body.created_at, created.created_at);
    assert.ok(edited.body.updated_at >= created.updated_at);

    const rules = [ruleset({ name: 'only rule', max_lifetime_seconds: 300 })];
    const again = await server().patch(connectionPath(created.id), { rulesets: rules }, { bearer: owner() });
    assert.equal(again.status, 200, String(again));
    assert.deepEqual(again.body.rulesets, rules);
    assert.notEqual(again.body.version, edited.body.version);
    assert.deepEqual((await server().get(connectionPath(created.id), { bearer: owner() })).body, again.body);

    assert.equal((await server().delete(connectionPath(created.id), { bearer: owner() })).status, 204);
    assertDetailError(await server().get(connectionPath(created.id), { bearer: owner() }), 404);
    assert.ok(!(await listConnections()).some((c) => c.id === created.id));
  });

  test('the list is {"results": [...]}, newest first', async (ctx) => {
    const first = await createConnection(ctx, connectionBody({ name: 'first' }));
    await sleep(1100);  // created_at has whole seconds
    const second = await createConnection(ctx, connectionBody({ name: 'second' }));
    const ids = (await listConnections()).map((c) => c.id).filter((id) => [first.id, second.id].includes(id));
    assert.deepEqual(ids, [second.id, first.id]);
  });

  test('the limits that are allowed: 100-character name, 256-character audience, 5 rulesets, 20 conditions, 500-character pattern, 300 and 3600 seconds', async (ctx) => {
    const conditions = { repository_owner_id: GITHUB_OWNER_ID, job_workflow_ref: `acme/${'x'.repeat(495)}` };
    for (let i = 0; Object.keys(conditions).length < 20; ++i) conditions[`custom_${i}`] = `v${i}`;
    assert.equal(conditions.job_workflow_ref.length, 500);
    const body = connectionBody({
      name: 'n'.repeat(100),
      audience: `https://oat.example.com/${'a'.repeat(256 - 24)}`,
      rulesets: [
        ruleset({ name: 'r1', conditions, max_lifetime_seconds: 300 }),
        ...[2, 3, 4].map((i) => ruleset({ name: `r${i}` })),
        ruleset({ name: 'r5', max_lifetime_seconds: 3600 }),
      ],
    });
    assert.equal(body.audience.length, 256);
    await createConnection(ctx, body);
  });

  test('the presets: GitHub Actions with repository_owner_id pinned, GitLab (gitlab.com and self-managed) with namespace_id pinned', async (ctx) => {
    await createConnection(ctx, connectionBody({ issuer: GITHUB }));
    const gitlabRules = [ruleset({
      name: 'gitlab main',
      conditions: { namespace_id: GITLAB_NAMESPACE_ID, project_path: 'acme/app', ref: 'main' },
    })];
    await createConnection(ctx, connectionBody({ name: 'gitlab.com', issuer: GITLAB, rulesets: gitlabRules }));
    await createConnection(ctx, connectionBody({ name: 'self-managed', issuer: issuers.es.url, rulesets: gitlabRules }));
  });

  test('bad input is a 400 naming the field, and changes nothing (list and audit log)', async () => {
    const before = await listConnections();
    const auditBefore = await server().auditTotal('acme', owner());
    const withRuleset = (fields) => connectionBody({ rulesets: [ruleset(fields)] });
    const withConditions = (conditions) => withRuleset({ conditions: { repository_owner_id: GITHUB_OWNER_ID, ...conditions } });
    const { name: _name, ...noName } = connectionBody();
    const { issuer: _issuer, ...noIssuer } = connectionBody();
    const { audience: _audience, ...noAudience } = connectionBody();
    const { rulesets: _rulesets, ...noRulesets } = connectionBody();
    const tooManyConditions = { repository_owner_id: GITHUB_OWNER_ID };
    for (let i = 0; Object.keys(tooManyConditions).length < 21; ++i) tooManyConditions[`custom_${i}`] = 'x';
    const cases = [
      ['no name', noName, 'name'],
      ['an empty name', connectionBody({ name: '' }), 'name'],
      ['a 101-character name', connectionBody({ name: 'n'.repeat(101) }), 'name'],
      ['no issuer', noIssuer, 'issuer'],
      ['an issuer the operator does not list', connectionBody({ issuer: 'https://issuer.example.com' }), 'issuer'],
      ['an http:// issuer', connectionBody({ issuer: issuers.main.url.replace('https:', 'http:') }), 'issuer'],
      ['no audience', noAudience, 'audience'],
      ['an empty audience', connectionBody({ audience: '' }), 'audience'],
      ['a 257-character audience', connectionBody({ audience: 'a'.repeat(257) }), 'audience'],
      ['active not a boolean', connectionBody({ active: 'yes' }), 'active'],
      ['no rulesets', noRulesets, 'rulesets'],
      ['no ruleset', connectionBody({ rulesets: [] }), 'rulesets'],
      ['six rulesets', connectionBody({ rulesets: [1, 2, 3, 4, 5, 6].map((i) => ruleset({ name: `r${i}` })) }), 'rulesets'],
      ['two rulesets of one name', connectionBody({ rulesets: [ruleset(), ruleset()] }), 'rulesets'],
      ['no condition', withRuleset({ conditions: {} }), 'rulesets'],
      ['21 conditions', withRuleset({ conditions: tooManyConditions }), 'rulesets'],
      ['a claim name with a space', withConditions({ 'a b': 'x' }), 'rulesets'],
      ['a claim name with a slash', withConditions({ 'a/b': 'x' }), 'rulesets'],
      ['an empty pattern', withConditions({ ref: '' }), 'rulesets'],
      ['a 501-character pattern', withConditions({ ref: 'r'.repeat(501) }), 'rulesets'],
      ['a pattern that is not a string', withConditions({ ref: 5 }), 'rulesets'],
      ...['iss', 'aud', 'exp', 'iat', 'nbf', 'jti'].map((claim) =>
        [`a condition on ${claim}`, withConditions({ [claim]: 'x' }), 'rulesets']),
      ['a glob on repository_owner_id', withRuleset({ conditions: { repository_owner_id: '12345*' } }), 'rulesets'],
      ['a glob on repository_id', withConditions({ repository_id: '76*' }), 'rulesets'],
      ['a glob on namespace_id', withConditions({ namespace_id: '*' }), 'rulesets'],
      ['no resources', withRuleset({ resources: [] }), 'rulesets'],
      ['a repository that does not exist', withRuleset({ resources: [repo('acme/nope', 'scope-image-pull')] }), 'rulesets'],
      ["another organization's repository", withRuleset({ resources: [repo('globex/app', 'scope-image-pull')] }), 'rulesets'],
      ['a scope that does not exist', withRuleset({ resources: [repo('acme/app', 'scope-image-nope')] }), 'rulesets'],
      ['max_lifetime_seconds 299', withRuleset({ max_lifetime_seconds: 299 }), 'rulesets'],
      ['max_lifetime_seconds 3601', withRuleset({ max_lifetime_seconds: 3601 }), 'rulesets'],
      ['max_lifetime_seconds as a string', withRuleset({ max_lifetime_seconds: '900' }), 'rulesets'],
    ];
    for (const [what, body, field] of cases) {
      assertRefusedField(await server().post(connections(), body, { bearer: owner() }), field, what);
    }
    const notJson = await server().request('POST', connections(),
      { body: '{"name":', headers: { 'content-type': 'application/json' }, bearer: owner() });
    assert.equal(notJson.status, 400, String(notJson));
    assert.deepEqual(await listConnections(), before);
    assert.equal(await server().auditTotal('acme', owner()), auditBefore, 'nothing audited');
  });

  test('the GitHub preset refuses a ruleset that does not pin repository_owner_id, saying so', async () => {
    const before = await listConnections();
    const cases = [
      ['no repository_owner_id', connectionBody({ issuer: GITHUB, rulesets: [ruleset({ conditions: { repository: 'acme/app' } })] })],
      ['one of two rulesets without it', connectionBody({ issuer: GITHUB, rulesets: [
        ruleset(), ruleset({ name: 'unpinned', conditions: { repository_owner: 'acme', ref: 'refs/heads/main' } })] })],
      ['a glob on it', connectionBody({ issuer: GITHUB, rulesets: [ruleset({ conditions: { repository_owner_id: '*' } })] })],
    ];
    for (const [what, body] of cases) {
      const messages = assertRefusedField(await server().post(connections(), body, { bearer: owner() }), 'rulesets', what);
      assert.ok(messages.some((m) => m.includes('repository_owner_id')), `${what}: the reason names repository_owner_id: ${messages}`);
    }
    assert.deepEqual(await listConnections(), before);
  });

  test("GitLab's claims without namespace_id pinned are refused, on gitlab.com and on a self-managed GitLab", async () => {
    const before = await listConnections();
    for (const [issuer, conditions] of [
      [GITLAB, { project_path: 'acme/app', ref: 'main' }],
      [issuers.es.url, { namespace_path: 'acme', ref: 'main' }],
      [issuers.es.url, { project_path: 'acme/app', namespace_id: '7*' }],
    ]) {
      const body = connectionBody({ issuer, rulesets: [ruleset({ conditions })] });
      const messages = assertRefusedField(await server().post(connections(), body, { bearer: owner() }), 'rulesets',
        `${issuer} ${JSON.stringify(conditions)}`);
      assert.ok(messages.some((m) => m.includes('namespace_id')), `the reason names namespace_id: ${messages}`);
    }
    assert.deepEqual(await listConnections(), before);
  });

  test('a refused edit changes nothing', async (ctx) => {
    const c = await createConnection(ctx);
    for (const [body, field] of [
      [{ name: '' }, 'name'],
      [{ audience: '' }, 'audience'],
      [{ active: 'no' }, 'active'],
      [{ rulesets: [] }, 'rulesets'],
      [{ rulesets: [ruleset({ conditions: { iss: issuers.main.url } })] }, 'rulesets'],
      [{ rulesets: [ruleset({ max_lifetime_seconds: 7200 })] }, 'rulesets'],
    ]) {
      assertRefusedField(await server().patch(connectionPath(c.id), body, { bearer: owner() }), field, JSON.stringify(body));
    }
    const after = await server().get(connectionPath(c.id), { bearer: owner() });
    assert.deepEqual(after.body, c);
  });

  test('an organization has at most 20 connections', async (ctx) => {
    const bearer = world.bearers.otherowner;
    const body = (i) => connectionBody({ name: `c${i}`, rulesets: [ruleset({ resources: [repo('globex/app', 'scope-image-pull')] })] });
    const ids = [];
    ctx.after(async () => {
      for (const id of ids) await server().delete(connectionPath(id, 'globex'), { bearer });
    });
    for (let i = (await listConnections('globex', bearer)).length; i < 20; ++i) {
      const r = await server().post(connections('globex'), body(i), { bearer });
      assert.equal(r.status, 201, `connection ${i + 1}: ${r}`);
      ids.push(r.body.id);
    }
    const refused = await server().post(connections('globex'), body(21), { bearer });
    assert.equal(refused.status, 400, String(refused));
    assertKeys(refused.body, ['fields', 'text'], 'refusal');
    assert.match(refused.text, /\b20\b/, 'the refusal states the limit');
    assert.equal((await listConnections('globex', bearer)).length, 20);
  });

  test('only those who manage the organization\'s tokens may see or change connections', async (ctx) => {
    const c = await createConnection(ctx);
    const attempts = (bearer) => [
      server().get(connections(), { bearer }),
      server().post(connections(), connectionBody(), { bearer }),
      server().get(connectionPath(c.id), { bearer }),
      server().patch(connectionPath(c.id), { name: 'taken over' }, { bearer }),
      server().get(`${connectionPath(c.id)}/failures`, { bearer }),
      server().delete(connectionPath(c.id), { bearer }),
    ];
    for (const user of ['member', 'editor', 'viewer']) {
      for (const r of await Promise.all(attempts(world.bearers[user]))) assertDetailError(r, 403);
    }
    for (const user of ['outsider', 'otherowner']) {
      for (const r of await Promise.all(attempts(world.bearers[user]))) assertDetailError(r, 404);
    }
    for (const r of await Promise.all(attempts(undefined))) assertDetailError(r, 401);

    // An access token's bearer never manages tokens, nor connections.
    const oat = await server().createToken('acme', owner(), { label: 'robot' });
    ctx.after(() => server().delete(`/v2/orgs/acme/access-tokens/${oat.id}`, { bearer: owner() }));
    const oatBearer = await server().signIn('acme', oat.token);
    for (const r of await Promise.all(attempts(oatBearer))) assertDetailError(r, 403);

    const unchanged = await server().get(connectionPath(c.id), { bearer: owner() });
    assert.deepEqual(unchanged.body, c, 'nobody without the permission changed it');

    // A custom role that may manage tokens, and an owner of the organization's company, may.
    assert.ok((await listConnections('acme', world.bearers.tokenmgr)).some((x) => x.id === c.id));
    assert.ok((await listConnections('acme', world.bearers.companyowner)).some((x) => x.id === c.id));
    const mine = await createConnection(ctx, connectionBody({ name: 'by tokenmgr' }), { bearer: world.bearers.tokenmgr });
    assert.equal(mine.created_by, 'tokenmgr');
  });

  test('a connection that does not exist, or is another organization\'s, is 404', async (ctx) => {
    const c = await createConnection(ctx);
    for (const [id, org] of [[UNKNOWN_ID, 'acme'], [c.id, 'bizco'], [c.id, 'globex']]) {
      for (const r of [
        await server().get(connectionPath(id, org), { bearer: owner() }),
        await server().patch(connectionPath(id, org), { name: 'x' }, { bearer: owner() }),
        await server().get(`${connectionPath(id, org)}/failures`, { bearer: owner() }),
        await server().delete(connectionPath(id, org), { bearer: owner() }),
      ]) assertDetailError(r, 404);
    }
    assert.deepEqual((await server().get(connectionPath(c.id), { bearer: owner() })).body, c);
  });
});

// =============================================================================================

describe('the exchange', () => {
  test('an ID token whose claims match is exchanged: 200 {access_token, issued_token_type, token_type, expires_in 300}', async (ctx) => {
    const c = await createConnection(ctx);
    const idToken = await issuers.main.mint();
    const accessToken = assertGranted(await exchangeFor(c, idToken));
    assert.notEqual(accessToken, idToken);
    assert.deepEqual(await grantOf(accessToken, ['repository:acme/app:pull,push']),
      [{ type: 'repository', name: 'acme/app', actions: ['pull', 'push'] }]);
    let seen;
    await waitFor(async () => {
      seen = (await server().get(connectionPath(c.id), { bearer: owner() })).body;
      return seen.last_exchange_at !== null;
    }, 'last_exchange_at set');
    assert.match(seen.last_exchange_at, TIME_RE);
  });

  test('an ES256 issuer and a GitLab-shaped token; numbers and booleans match their JSON text', async (ctx) => {
    const c = await createConnection(ctx, connectionBody({
      name: 'GitLab', issuer: issuers.es.url,
      rulesets: [ruleset({
        name: 'protected main',
        conditions: {
          namespace_id: GITLAB_NAMESPACE_ID, project_path: 'acme/app', ref: 'main', ref_protected: 'true',
          runner_id: '31', deploy: 'true',
        },
      })],
    }));
    const idToken = await issuers.es.mint({ deploy: true }, { shape: 'gitlab' });
    assert.equal(decodeIdToken(idToken).header.alg, 'ES256');
    assert.equal(decodeIdToken(idToken).payload.runner_id, 31, 'runner_id is a number in the token');
    const accessToken = assertGranted(await exchangeFor(c, idToken));
    assert.deepEqual(await grantOf(accessToken, ['repository:acme/app:push']),
      [{ type: 'repository', name: 'acme/app', actions: ['push'] }]);
    // repository_owner_id as a JSON number matches the pattern "1234567".
    const gh = await createConnection(ctx);
    assertGranted(await exchangeFor(gh, await issuers.main.mint({ repository_owner_id: Number(GITHUB_OWNER_ID) })));
    assertRefused(await exchangeFor(gh, await issuers.main.mint({ repository_owner_id: 12345678 })), 'invalid_grant');
  });

  test('the grant is the union of the resources of every matching ruleset, and nothing of the others', async (ctx) => {
    const c = await createConnection(ctx, connectionBody({
      rulesets: [
        ruleset({ name: 'push app' }),
        ruleset({ name: 'pull web', conditions: { repository_owner_id: GITHUB_OWNER_ID, environment: 'production' },
          resources: [repo('acme/web', 'scope-image-pull')] }),
        ruleset({ name: 'never', conditions: { repository_owner_id: GITHUB_OWNER_ID, ref: 'refs/heads/never' },
          resources: [repo('acme/web', 'scope-image-push'), repo('acme/docs', 'scope-image-push')] }),
      ],
    }));
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    assert.deepEqual(await grantOf(accessToken, [
      'repository:acme/app:pull,push', 'repository:acme/web:pull,push', 'repository:acme/docs:push',
      'repository:globex/app:pull',
    ]), [
      { type: 'repository', name: 'acme/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'acme/web', actions: ['pull'] },
    ]);
    // Only "pull web" matches a token from another branch outside production.
    const other = assertGranted(await exchangeFor(c, await issuers.main.mint({ ref: 'refs/heads/dev' })));
    assert.deepEqual(await grantOf(other, ['repository:acme/app:pull,push', 'repository:acme/web:pull,push']),
      [{ type: 'repository', name: 'acme/web', actions: ['pull'] }]);
  });

  test('patterns: exact unless they hold *, which stands for any run of characters, / included', async (ctx) => {
    const c = await createConnection(ctx, connectionBody({
      rulesets: [ruleset({
        name: 'globs',
        conditions: {
          repository_owner_id: GITHUB_OWNER_ID, repository: 'acme/*', ref: 'refs/heads/main',
          job_workflow_ref: 'acme/app/.github/workflows/release.yml@*',
        },
      })],
    }));
    const mint = (claims) => issuers.main.mint(claims);
    assertGranted(await exchangeFor(c, await mint({})));
    assertGranted(await exchangeFor(c, await mint({ repository: 'acme/tools/app' })));
    for (const claims of [
      { repository: 'xacme/app' },
      { repository: 'acme' },
      { ref: 'refs/heads/main2' },
      { ref: 'refs/heads/mai' },
      { job_workflow_ref: 'acme/app/.github/workflows/evil.yml@refs/heads/main' },
      { job_workflow_ref: 'fork/acme/app/.github/workflows/release.yml@refs/heads/main' },
      { ref: undefined },
    ]) {
      assertRefused(await exchangeFor(c, await mint(claims)), 'invalid_grant');
    }
  });

  test('expires_in: 300 by default, as asked from 300 to 3600, never more than the smallest max_lifetime_seconds of the matching rulesets', async (ctx) => {
    const c = await createConnection(ctx, connectionBody({
      rulesets: [
        ruleset({ name: 'app, 900 s', conditions: { repository_owner_id: GITHUB_OWNER_ID, repository: 'acme/app' }, max_lifetime_seconds: 900 }),
        ruleset({ name: 'main, 600 s', conditions: { repository_owner_id: GITHUB_OWNER_ID, ref: 'refs/heads/main' }, max_lifetime_seconds: 600 }),
      ],
    }));
    const mint = (claims) => issuers.main.mint(claims);
    assertGranted(await exchangeFor(c, await mint()), 300);
    assertGranted(await exchangeFor(c, await mint(), { expires_in: 300 }), 300);
    assertGranted(await exchangeFor(c, await mint(), { expires_in: 450 }), 450);
    assertGranted(await exchangeFor(c, await mint(), { expires_in: 3600 }), 600);
    assertGranted(await exchangeFor(c, await mint({ ref: 'refs/heads/dev' }), { expires_in: 3600 }), 900);
    const all = await createConnection(ctx, connectionBody({ name: 'default lifetime' }));
    assertGranted(await exchangeFor(all, await mint(), { expires_in: 3600 }), 3600);
    for (const expiresIn of [299, 3601, 0, -300, 'abc', '', '600.5', '1e3']) {
      assertRefused(await exchangeFor(c, await mint(), { expires_in: expiresIn }), 'invalid_request');
    }
  });

  test('aud may be a list holding the audience; another audience is refused', async (ctx) => {
    const c = await createConnection(ctx);
    assertGranted(await exchangeFor(c, await issuers.main.mint({ aud: ['https://other.example.com', AUD] })));
    for (const aud of ['https://other.example.com', `${AUD}/`, ['https://other.example.com'], [], undefined]) {
      assertRefused(await exchangeFor(c, await issuers.main.mint({ aud })), 'invalid_grant');
    }
  });

  test("a token of another issuer, or whose iss is not the connection's issuer exactly, is refused", async (ctx) => {
    const c = await createConnection(ctx);
    // Signed by another issuer oatd trusts, and naming it.
    assertRefused(await exchangeFor(c, await issuers.es.mint()), 'invalid_grant');
    // Signed by the connection's issuer, naming another or itself with a difference.
    for (const iss of [issuers.es.url, `${issuers.main.url}/`, issuers.main.url.toUpperCase(), undefined]) {
      assertRefused(await exchangeFor(c, await issuers.main.mint({ iss })), 'invalid_grant');
    }
    // The connection's issuer named by a token another issuer signed.
    assertRefused(await exchangeFor(c, await issuers.es.mint({ iss: issuers.main.url })), 'invalid_grant');
  });

  test('times, with 60 s of leeway: expired 2 minutes ago, not before 2 minutes from now, issued 2 minutes from now are refused; 30 s either way pass', async (ctx) => {
    const c = await createConnection(ctx);
    const t = now();
    const mint = (claims, options) => issuers.main.mint(claims, options);
    assertRefused(await exchangeFor(c, await mint({}, { now: t - 420, expiresIn: 300 })), 'invalid_grant');
    assertRefused(await exchangeFor(c, await mint({ nbf: t + 120 })), 'invalid_grant');
    assertRefused(await exchangeFor(c, await mint({ iat: t + 120, nbf: t })), 'invalid_grant');
    assertGranted(await exchangeFor(c, await mint({}, { now: t - 330, expiresIn: 300 })));
    assertGranted(await exchangeFor(c, await mint({ nbf: t + 30 })));
    assertGranted(await exchangeFor(c, await mint({ iat: t + 30, nbf: t })));
  });

  test('each jti is used once', async (ctx) => {
    const c = await createConnection(ctx);
    const idToken = await issuers.main.mint();
    assertGranted(await exchangeFor(c, idToken));
    assertRefused(await exchangeFor(c, idToken), 'invalid_grant');
    const { jti } = decodeIdToken(idToken).payload;
    assertRefused(await exchangeFor(c, await issuers.main.mint({ jti, run_id: '1' })), 'invalid_grant');
    // The jti is remembered whatever the connection.
    const other = await createConnection(ctx, connectionBody({ name: 'other' }));
    assertRefused(await exchangeFor(other, idToken), 'invalid_grant');
  });

  test('algorithms: RS256 and ES256 only; alg none and HS256 keyed with the public key are refused', async (ctx) => {
    const c = await createConnection(ctx);
    const es = await createConnection(ctx, connectionBody({ name: 'es', issuer: issuers.es.url }));
    const forged = [
      ['alg none', c, issuers.main.unsigned()],
      ['alg none without kid', c, issuers.main.unsigned({}, { header: { kid: undefined } })],
      ['HS256 keyed with the PEM public key', c, issuers.main.hs256({}, { secret: 'pem' })],
      ['HS256 keyed with the JWK text', c, issuers.main.hs256({}, { secret: 'jwk' })],
      ['PS256 with the RSA key', c, issuers.main.signedAs('PS256')],
      ['RS384 with the RSA key', c, issuers.main.signedAs('RS384')],
      ['ES256, HS256 keyed with the PEM public key', es, issuers.es.hs256({}, { secret: 'pem' })],
      ['ES256, alg none', es, issuers.es.unsigned()],
    ];
    for (const [what, connection, idToken] of forged) {
      const r = await exchangeFor(connection, idToken);
      assert.equal(r.status, 400, `${what}: ${r}`);
      assertRefused(r, 'invalid_grant');
    }
  });

  test('a signature with one byte changed is refused', async (ctx) => {
    const c = await createConnection(ctx);
    const idToken = await issuers.main.mint();
    assertRefused(await exchangeFor(c, tamper(idToken)), 'invalid_grant');
    const es = await createConnection(ctx, connectionBody({ name: 'es', issuer: issuers.es.url }));
    assertRefused(await exchangeFor(es, tamper(await issuers.es.mint())), 'invalid_grant');
    // The genuine token was not spent by its forgery.
    assertGranted(await exchangeFor(c, idToken));
  });

  test('a key the issuer does not publish is refused; unknown kids fetch the keys again at most once a minute', async (ctx) => {
    const c = await createConnection(ctx);
    assertGranted(await exchangeFor(c, await issuers.main.mint()));  // the keys are fetched
    const fetches = issuers.main.jwksFetches();
    for (let i = 0; i < 3; ++i) assertRefused(await exchangeFor(c, issuers.main.unknownKid()), 'invalid_grant');
    // Its own kid on another key.
    assertRefused(await exchangeFor(c, issuers.main.unknownKid({}, { header: { kid: issuers.main.kid } })), 'invalid_grant');
    assert.ok(issuers.main.jwksFetches() - fetches <= 1,
      `the JWKS fetched ${issuers.main.jwksFetches() - fetches} times for four unknown keys in a moment`);
    assertGranted(await exchangeFor(c, await issuers.main.mint()));
  });

  test('an ID token over 16 KiB is refused; one under it passes', async (ctx) => {
    const c = await createConnection(ctx);
    const small = await issuers.main.mint({ padding: 'p'.repeat(10_000) });
    assert.ok(small.length < 16 * 1024, `${small.length} characters`);
    assertGranted(await exchangeFor(c, small));
    const large = await issuers.main.mint({ padding: 'p'.repeat(13_000) });
    assert.ok(large.length > 16 * 1024, `${large.length} characters`);
    assertRefused(await exchangeFor(c, large), 'invalid_grant');
  });

  test('a token that cannot be read is refused, and kept as a failure with claims {}', async (ctx) => {
    const c = await createConnection(ctx);
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: issuers.main.kid })).toString('base64url');
    const unreadable = `${header}.${Buffer.from('not json').toString('base64url')}.c2lnbmF0dXJl`;
    assertRefused(await exchangeFor(c, unreadable), 'invalid_grant');
    for (const garbage of ['not a token', 'a.b', 'a.b.c.d.e']) {
      assertRefused(await exchangeFor(c, garbage), 'invalid_grant', 'invalid_request');
    }
    const r = await failuresOf(c);
    const kept = r.body.failures.at(-1);
    assert.ok(kept, 'the unreadable token is kept as a failure');
    assert.deepEqual(kept.claims, {});
    assertNoTokenIn(r.text, [unreadable], 'the failures');
  });

  test('claims that match no ruleset: refused, and the failures tell each ruleset\'s mismatch, newest first, never the token', async (ctx) => {
    const c = await createConnection(ctx, connectionBody({
      rulesets: [
        ruleset({ name: 'main only', conditions: { repository_owner_id: GITHUB_OWNER_ID, ref: 'refs/heads/main' } }),
        ruleset({ name: 'production', conditions: { repository_owner_id: GITHUB_OWNER_ID, environment: 'production' } }),
      ],
    }));
    const first = await issuers.main.mint({ ref: 'refs/heads/feature', environment: undefined });
    assertRefused(await exchangeFor(c, first), 'invalid_grant');
    await sleep(1100);  // `at` has whole seconds
    const second = await issuers.main.mint({ ref: 'refs/heads/dev', environment: undefined });
    assertRefused(await exchangeFor(c, second), 'invalid_grant');

    const r = await failuresOf(c);
    assert.equal(r.body.failures.length, 2, r.text);
    const [newest, older] = r.body.failures;
    assert.deepEqual(newest.claims, decodeIdToken(second).payload, 'the claims presented');
    assert.deepEqual(older.claims, decodeIdToken(first).payload);
    assert.ok(newest.at >= older.at);
    const sorted = (ms) => [...ms].sort((a, b) => a.ruleset.localeCompare(b.ruleset));
    assert.deepEqual(sorted(newest.mismatches), [
      { ruleset: 'main only', claim: 'ref', expected: 'refs/heads/main', got: 'refs/heads/dev' },
      { ruleset: 'production', claim: 'environment', expected: 'production', got: null },
    ]);
    assert.deepEqual(sorted(older.mismatches)[0],
      { ruleset: 'main only', claim: 'ref', expected: 'refs/heads/main', got: 'refs/heads/feature' });
    assertNoTokenIn(r.text, [first, second], 'the failures');

    // Another connection's failures are its own.
    const other = await createConnection(ctx, connectionBody({ name: 'other' }));
    assert.deepEqual((await failuresOf(other)).body.failures, []);
  });

  test('the failures keep the last 100', async (ctx) => {
    const c = await createConnection(ctx);
    const runIds = [];
    for (let i = 0; i < 103; ++i) {
      const idToken = await issuers.main.mint({ ref: 'refs/heads/nope', run_id: String(1000 + i) });
      runIds.push(String(1000 + i));
      assertRefused(await exchangeFor(c, idToken), 'invalid_grant');
    }
    const { failures } = (await failuresOf(c)).body;
    assert.equal(failures.length, 100);
    assert.deepEqual(failures.map((f) => f.claims.run_id), runIds.slice(3).reverse(), 'the newest 100, newest first');
  });

  test('an inactive connection, or one that does not exist, is invalid_target', async (ctx) => {
    const c = await createConnection(ctx, connectionBody({ active: false }));
    assert.equal(c.active, false);
    assertRefused(await exchangeFor(c, await issuers.main.mint()), 'invalid_target');
    assertRefused(await exchange({ connection_id: UNKNOWN_ID, subject_token: await issuers.main.mint() }), 'invalid_target');
    const removed = await createConnection(null);
    await server().delete(connectionPath(removed.id), { bearer: owner() });
    assertRefused(await exchangeFor(removed, await issuers.main.mint()), 'invalid_target');
    // Active again, it exchanges.
    await server().patch(connectionPath(c.id), { active: true }, { bearer: owner() });
    assertGranted(await exchangeFor(c, await issuers.main.mint()));
  });

  test('the form: another grant_type is unsupported_grant_type; a field missing, repeated or malformed, or another subject_token_type, is invalid_request', async (ctx) => {
    const c = await createConnection(ctx);
    const fields = async () => ({ connection_id: c.id, subject_token: await issuers.main.mint() });
    assertRefused(await exchange({ ...await fields(), grant_type: 'password' }), 'unsupported_grant_type');
    assertRefused(await exchange({ ...await fields(), grant_type: 'client_credentials' }), 'unsupported_grant_type');
    const idToken = await issuers.main.mint();
    for (const [what, form] of [
      ['no subject_token', { connection_id: c.id, subject_token: undefined }],
      ['no connection_id', { subject_token: idToken }],
      ['no subject_token_type', { ...await fields(), subject_token_type: undefined }],
      ['another subject_token_type', { ...await fields(), subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }],
      ['an access token type', { ...await fields(), subject_token_type: ACCESS_TOKEN_TYPE }],
      ['subject_token twice', { connection_id: c.id, subject_token: [idToken, idToken] }],
      ['connection_id twice', { connection_id: [c.id, c.id], subject_token: await issuers.main.mint() }],
      ['expires_in twice', { ...await fields(), expires_in: [300, 600] }],
      ['grant_type twice', { ...await fields(), grant_type: [GRANT_TYPE, GRANT_TYPE] }],
    ]) {
      const r = await exchange(form);
      assert.equal(r.status, 400, `${what}: ${r}`);
      assertRefused(r, 'invalid_request');
    }
    // No grant_type at all: a field missing (or no grant type oatd supports).
    assertRefused(await exchange({ ...await fields(), grant_type: undefined }), 'invalid_request', 'unsupported_grant_type');
    // A JSON body is no form.
    const json = await server().request('POST', '/v2/oidc/token', {
      body: JSON.stringify({ grant_type: GRANT_TYPE, subject_token_type: ID_TOKEN_TYPE, ...await fields() }),
      headers: { 'content-type': 'application/json' }, from: freshClientAddress(),
    });
    assertRefused(json, 'invalid_request', 'unsupported_grant_type');
    // None of that spent the token.
    assertGranted(await exchangeFor(c, idToken));
  });

  describe('an issuer whose keys cannot be fetched: 503 {"error":"temporarily_unavailable"}, within 5 s (8 s here)', () => {
    const cases = [
      ['that accepts connections and never answers', 'hole', () => issuers.main.mint({ iss: issuers.hole.url })],
      ['whose port is closed', 'closed', () => issuers.main.mint({ iss: issuers.closed.url })],
      ['that never answers over HTTPS', 'stalled', () => issuers.stalled.mint()],
      ['whose certificate oatd does not trust', 'untrusted', () => issuers.untrusted.mint()],
      ['that redirects to its documents (not followed)', 'redirect', () => issuers.target.mint({ iss: issuers.redirect.url })],
      ['whose JWKS is over 256 KiB', 'bloated', () => issuers.bloated.mint()],
    ];
    for (const [what, name, mint] of cases) {
      test(`an issuer ${what}`, async (ctx) => {
        const c = await createConnection(ctx, connectionBody({ name, issuer: issuers[name].url }));
        const idToken = await mint();
        const started = Date.now();
        const r = await exchangeFor(c, idToken);
        const elapsed = Date.now() - started;
        assertUnavailable(r);
        assert.ok(elapsed < 8000, `answered after ${elapsed} ms`);
        assert.equal((await server().get('/healthz')).status, 200, 'oatd still answers');
      });
    }

    test('an issuer that hangs holds one exchange, not every worker: the others, and the next, are answered at once', async (ctx) => {
      const c = await createConnection(ctx, connectionBody({ name: 'slow', issuer: issuers.slow.url }));
      const timed = async (promise) => {
        const started = Date.now();
        const r = await promise;
        return { r, ms: Date.now() - started };
      };
      const tokens = await Promise.all([1, 2, 3].map(() => issuers.main.mint({ iss: issuers.slow.url })));
      const first = timed(exchangeFor(c, tokens[0]));
      await sleep(300);  // the first is fetching now
      const [second, health] = await Promise.all([timed(exchangeFor(c, tokens[1])), timed(server().get('/healthz'))]);
      const done = await first;
      assertUnavailable(done.r);
      assertUnavailable(second.r);
      assert.ok(done.ms >= 4000, `the fetch gave up after ${done.ms} ms, not its 5 s`);
      assert.ok(second.ms < 1500, `the second exchange waited ${second.ms} ms for the first's fetch`);
      assert.equal(health.r.status, 200);
      assert.ok(health.ms < 1500, `the server waited ${health.ms} ms`);
      // The failure is remembered for a moment: the next is answered without a new fetch.
      const third = await timed(exchangeFor(c, tokens[2]));
      assertUnavailable(third.r);
      assert.ok(third.ms < 1500, `the next exchange waited ${third.ms} ms`);
    });

    test('the redirect was not followed: the target issuer was never asked', () => {
      assert.deepEqual(issuers.target.requests, []);
      assert.ok(issuers.redirect.requests.length > 0, 'oatd asked the redirecting issuer');
    });
  });

  test('after 20 refused exchanges from one address, 429 with Retry-After, even for a good token; other addresses still exchange', async (ctx) => {
    const c = await createConnection(ctx);
    const address = freshClientAddress();
    for (let i = 1; i <= 20; ++i) {
      const r = await exchangeFor(c, tamper(await issuers.main.mint()), {}, { from: address });
      assert.equal(r.status, 400, `refusal ${i}: ${r}`);
      assertRefused(r, 'invalid_grant');
    }
    const limited = await exchangeFor(c, await issuers.main.mint(), {}, { from: address });
    assert.equal(limited.status, 429, String(limited));
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 300, `Retry-After: ${limited.headers['retry-after']}`);
    assertGranted(await exchangeFor(c, await issuers.main.mint()));
  });
});

// =============================================================================================

describe('the exchanged token', () => {
  test('the registry token it gets ends when it does, never after', async (ctx) => {
    const c = await createConnection(ctx);
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    const exchangedExp = decodeJwt(accessToken).payload.exp;
    await sleep(2100);  // the registry's own lifetime (300 s) from now would reach past it
    const r = await server().tokenService({ user: 'acme', secret: accessToken, scopes: ['repository:acme/app:pull'] });
    assert.equal(r.status, 200, String(r));
    const { exp, iat } = decodeJwt(r.body.token).payload;
    assert.ok(exp <= exchangedExp, `the registry token ends at ${exp}, after the access token (${exchangedExp})`);
    assert.equal(r.body.expires_in, exp - iat);
    assert.ok(r.body.expires_in < 300 && r.body.expires_in > 290, String(r.body.expires_in));
  });

  test('signs in to the token service (GET and POST /token) as the organization only', async (ctx) => {
    ctx.after(forgetSignInFailures);
    const c = await createConnection(ctx);
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    const post = await server().request('POST', '/token', {
      body: form({ grant_type: 'password', username: 'acme', password: accessToken, service: 'oat-registry',
        scope: 'repository:acme/app:pull' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(post.status, 200, String(post));
    assert.deepEqual(decodeJwt(post.body.token).payload.access, [{ type: 'repository', name: 'acme/app', actions: ['pull'] }]);
    for (const user of ['globex', 'owner']) await assertSignInRefused(accessToken, user);
  });

  test('is ended by deactivating the connection (and stays ended once it is active again)', async (ctx) => {
    ctx.after(forgetSignInFailures);
    const c = await createConnection(ctx);
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    assert.equal((await grantOf(accessToken, ['repository:acme/app:pull'])).length, 1);
    assert.equal((await server().patch(connectionPath(c.id), { active: false }, { bearer: owner() })).status, 200);
    await assertSignInRefused(accessToken);
    assert.equal((await server().patch(connectionPath(c.id), { active: true }, { bearer: owner() })).status, 200);
    await assertSignInRefused(accessToken);
  });

  test('is ended by editing the connection\'s rulesets, or its name; a new exchange grants the new rulesets', async (ctx) => {
    ctx.after(forgetSignInFailures);
    const c = await createConnection(ctx);
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    assert.equal((await grantOf(accessToken, ['repository:acme/app:pull'])).length, 1);
    const edited = await server().patch(connectionPath(c.id),
      { rulesets: [ruleset({ resources: [repo('acme/web', 'scope-image-pull')] })] }, { bearer: owner() });
    assert.equal(edited.status, 200, String(edited));
    assert.notEqual(edited.body.version, c.version);
    await assertSignInRefused(accessToken);
    const next = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    assert.deepEqual(await grantOf(next, ['repository:acme/app:pull', 'repository:acme/web:pull']),
      [{ type: 'repository', name: 'acme/web', actions: ['pull'] }]);
    assert.equal((await server().patch(connectionPath(c.id), { name: 'renamed' }, { bearer: owner() })).status, 200);
    await assertSignInRefused(next);
  });

  test('is ended by deleting the connection', async (ctx) => {
    ctx.after(forgetSignInFailures);
    const c = await createConnection(ctx);
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    assert.equal((await grantOf(accessToken, ['repository:acme/app:pull'])).length, 1);
    assert.equal((await server().delete(connectionPath(c.id), { bearer: owner() })).status, 204);
    await assertSignInRefused(accessToken);
  });

  test('is no management bearer, and no secret of POST /v2/auth/token', async (ctx) => {
    ctx.after(forgetSignInFailures);
    const c = await createConnection(ctx);
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    assertDetailError(await server().get('/v2/orgs/acme/access-tokens', { bearer: accessToken }), 401);
    assertDetailError(await server().get(connections(), { bearer: accessToken }), 401);
    assertDetailError(await server().get('/v2/auditlogs/acme', { bearer: accessToken }), 401);
    const signIn = await server().post('/v2/auth/token', { identifier: 'acme', secret: accessToken },
      { from: freshClientAddress() });
    assertDetailError(signIn, 401);
    assert.equal((await grantOf(accessToken, ['repository:acme/app:pull'])).length, 1, 'it still signs in to the registry');
  });

  test("does not count toward the plan's quota: with every access token of the plan taken, the exchange still works", async (ctx) => {
    const c = await createConnection(ctx);
    const existing = await server().tokens('acme', owner());
    for (let i = existing.length; i < 10; ++i) {
      const t = await server().createToken('acme', owner(), { label: `quota-${i}` });
      ctx.after(() => server().delete(`/v2/orgs/acme/access-tokens/${t.id}`, { bearer: owner() }));
    }
    const full = await server().post('/v2/orgs/acme/access-tokens', { label: 'one more', resources: [repo('acme/app', 'scope-image-pull')] },
      { bearer: owner() });
    assert.equal(full.status, 400, `the Team plan's 10 tokens are taken: ${full}`);
    const before = await server().tokens('acme', owner());
    const accessToken = assertGranted(await exchangeFor(c, await issuers.main.mint()));
    assert.equal((await grantOf(accessToken, ['repository:acme/app:push'])).length, 1);
    assert.deepEqual(await server().tokens('acme', owner()), before, 'no access token was added');
    const org = await server().get('/v2/orgs/acme', { bearer: owner() });
    assert.equal(org.body.token_count, 10);
  });
});

// =============================================================================================

describe('audit events', () => {
  test('oidc_connection.create, .update and .delete; oidc.exchange (connection, repository, ref, workflow, run id) and oidc.exchange_refused (reason); never a token', async (ctx) => {
    const c = await createConnection(null, connectionBody({ name: 'audited' }));
    assert.equal((await server().patch(connectionPath(c.id), { name: 'audited too' }, { bearer: owner() })).status, 200);
    const idToken = await issuers.main.mint();
    const accessToken = assertGranted(await exchangeFor(c, idToken));
    const refusedToken = await issuers.main.mint({ ref: 'refs/heads/nope' });
    assertRefused(await exchangeFor(c, refusedToken), 'invalid_grant');
    const forged = tamper(await issuers.main.mint());
    assertRefused(await exchangeFor(c, forged), 'invalid_grant');
    assert.equal((await server().delete(connectionPath(c.id), { bearer: owner() })).status, 204);

    const tokens = [idToken, refusedToken, forged, accessToken];
    // Which of an event's fields name the connection the contract leaves open: its id anywhere,
    // or its name as the event's name.
    const aboutIt = (e) => JSON.stringify(e).includes(c.id) || ['audited', 'audited too'].includes(e.name);
    for (const action of ['oidc_connection.create', 'oidc_connection.update', 'oidc_connection.delete']) {
      const r = await auditOf(action);
      const events = r.body.logs.filter((e) => e.action === action && aboutIt(e));
      assert.equal(events.length, 1, `one ${action} of the connection: ${r.text}`);
      assert.equal(events[0].actor, 'owner');
      assert.equal(events[0].account, 'acme');
    }
    const claims = decodeIdToken(idToken).payload;
    const exchanged = await auditOf('oidc.exchange');
    const ours = exchanged.body.logs.filter((e) => e.data.connection_id === c.id);
    assert.equal(ours.length, 1, exchanged.text);
    assert.deepEqual([ours[0].data.repository, ours[0].data.ref, String(ours[0].data.run_id)],
      [claims.repository, claims.ref, claims.run_id]);
    // "The workflow" from GitHub's claims: its name (workflow) or its file (job_workflow_ref,
    // workflow_ref); the contract does not say which.
    assert.ok([claims.workflow, claims.job_workflow_ref, claims.workflow_ref].includes(ours[0].data.workflow),
      `workflow: ${ours[0].data.workflow}`);
    const refused = await auditOf('oidc.exchange_refused');
    assert.ok(refused.body.logs.length >= 2, `the two refusals: ${refused.text}`);
    for (const e of refused.body.logs) {
      assert.equal(e.action, 'oidc.exchange_refused');
      assert.equal(typeof e.data.reason, 'string', JSON.stringify(e));
      assert.ok(e.data.reason.length > 0, JSON.stringify(e));
    }
    const all = await server().get('/v2/auditlogs/acme?page=1&page_size=100', { bearer: owner() });
    assertNoTokenIn(all.text, tokens, 'the audit log');
    assertNoTokenIn(exchanged.text + refused.text, tokens, 'the audit log');
  });
});
