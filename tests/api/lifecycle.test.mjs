// A token's lifecycle beyond create, edit and delete:
//   POST /v2/orgs/{org}/access-tokens/{id}/rotate       rotation, with a grace for the old secret
//   POST /v2/access-tokens/self/rotate                  rotation by the token itself
//   GET/PUT /v2/orgs/{org}/access-token-policy          the organization's token policy
//   "allowed_cidrs" on create and PATCH                 address allow-lists (and --trusted-proxy)
//   POST /v2/access-tokens/revoke                       reports of leaked tokens
// This file's oatd trusts 127.0.0.1 as a proxy: requests sent from other loopback addresses
// (the option `from`) are their own clients, whatever X-Forwarded-For they carry.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { runSql } from '../lib/database.mjs';
import {
  SINGLE_TOKEN_EXTRA_KEYS, TOKEN_KEYS, assertDetailError, assertFieldError, assertKeys,
  freshClientAddress, rfc3339, sleep, useWorld, waitFor,
} from './harness.mjs';

const world = useWorld({
  signIn: ['owner', 'member'],
  serveArgs: () => ['--trusted-proxy', '127.0.0.1'],
});
const server = () => world.server;
const owner = () => world.bearers.owner;
const item = (org, id) => `/v2/orgs/${org}/access-tokens/${id}`;
const rotatePath = (org, id) => `${item(org, id)}/rotate`;
const policyPath = (org) => `/v2/orgs/${org}/access-token-policy`;
const BAD_TOKEN = 'Incorrect organization name or access token.';

// Most tests here make acme's sign-ins fail on purpose, more than the 5 failures per identifier
// that the rate limit allows in 5 minutes: each test starts with the limits' memory empty.
afterEach(() => runSql(world.db, 'DELETE FROM sign_in_failures'));

async function create(ctx, org, fields = {}) {
  const token = await server().createToken(org, owner(), fields);
  ctx.after(() => server().delete(item(org, token.id), { bearer: owner() }));
  return token;
}

// POST /v2/auth/token with an access token from ADDRESS (a fresh one by default): the Reply.
function signIn(secret, { org = 'acme', from = freshClientAddress(), headers } = {}) {
  return server().request('POST', '/v2/auth/token', { json: { identifier: org, secret }, from, headers });
}

async function audit(org, action) {
  const r = await server().get(`/v2/auditlogs/${org}?action=${action}&page_size=100`, { bearer: owner() });
  assert.equal(r.status, 200, String(r));
  return r.body.logs;
}

async function setPolicy(ctx, org, policy) {
  const r = await server().request('PUT', policyPath(org), { json: policy, bearer: owner() });
  assert.equal(r.status, 200, String(r));
  ctx.after(() => server().request('PUT', policyPath(org), { json: {}, bearer: owner() }));
  return r.body;
}

describe('POST /v2/orgs/{org}/access-tokens/{id}/rotate', () => {
  test('without a grace: a new secret at once, the same token, and the old secret refused like a wrong one', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'rotate-now', description: 'kept' });
    const r = await server().post(rotatePath('acme', t.id), {}, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, [...TOKEN_KEYS, ...SINGLE_TOKEN_EXTRA_KEYS, 'token'], 'rotate answer');
    assert.equal(r.body.id, t.id);
    assert.equal(r.body.label, 'rotate-now');
    assert.equal(r.body.description, 'kept');
    assert.deepEqual(r.body.resources, t.resources);
    assert.notEqual(r.body.token, t.token);
    assert.match(r.body.token, /^dckr_oat_[A-Za-z0-9]{32}$/);
    assert.equal(r.body.previous_token_expires_at, null);
    assert.ok(r.body.rotated_at, 'rotated_at is set');

    assertDetailError(await signIn(t.token), 401);
    assert.equal((await signIn(t.token)).body.detail, BAD_TOKEN);
    assert.equal((await signIn(r.body.token)).status, 200);
    const [event] = await audit('acme', 'access_token.rotate');
    assert.equal(event.data.token_id, t.id);
    assert.equal(event.data.grace_period_seconds, 0);
    assert.equal(event.actor, 'owner');
  });

  test('with a grace: both secrets sign in (API and registry) until it ends, and the old one\'s use is shown', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'rotate-grace' });
    const before = Date.now();
    const r = await server().post(rotatePath('acme', t.id), { grace_period_seconds: 3 }, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    const until = Date.parse(r.body.previous_token_expires_at);
    assert.ok(until >= Math.floor(before / 1000) * 1000 + 3000 && until <= Date.now() + 3000, r.body.previous_token_expires_at);
    assert.equal((await signIn(t.token)).status, 200, 'the old secret during the grace');
    assert.equal((await signIn(r.body.token)).status, 200, 'the new secret');
    const registry = await server().tokenService({ user: 'acme', secret: t.token, scopes: ['repository:acme/app:pull'] });
    assert.equal(registry.status, 200, String(registry));
    await waitFor(async () => (await server().token('acme', t.id, owner())).body.previous_token_last_used_at !== null,
      'the old secret\'s last use is recorded');

    await sleep(Math.max(0, until - Date.now()) + 1100);
    assert.equal((await signIn(t.token)).body.detail, BAD_TOKEN, 'the old secret after the grace');
    const refused = await server().tokenService({ user: 'acme', secret: t.token, scopes: ['repository:acme/app:pull'] });
    assert.equal(refused.status, 401, String(refused));
    assert.equal((await signIn(r.body.token)).status, 200);
  });

  test('rotating again ends the earlier grace at once: one previous secret at a time', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'rotate-twice' });
    const first = await server().post(rotatePath('acme', t.id), { grace_period_seconds: 600 }, { bearer: owner() });
    const second = await server().post(rotatePath('acme', t.id), { grace_period_seconds: 600 }, { bearer: owner() });
    assert.equal(second.status, 200, String(second));
    assert.equal((await signIn(t.token)).status, 401, 'the first secret');
    assert.equal((await signIn(first.body.token)).status, 200, 'the second secret, in its grace');
    assert.equal((await signIn(second.body.token)).status, 200, 'the current secret');
  });

  test('a bearer got with the replaced secret ends with its grace', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'rotate-bearer', allow_self_rotation: true });
    const bearer = (await signIn(t.token)).body.access_token;
    await server().post(rotatePath('acme', t.id), {}, { bearer: owner() });
    const r = await server().post('/v2/access-tokens/self/rotate', {}, { bearer });
    assertDetailError(r, 401);
  });

  test('a new expires_at is applied and checked as at creation; bad bodies change nothing', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'rotate-expiry' });
    const expires = rfc3339(Date.now() + 10 * 86400_000);
    for (const [body, field] of [
      [{ grace_period_seconds: 604801 }, 'grace_period_seconds'],
      [{ grace_period_seconds: -1 }, 'grace_period_seconds'],
      [{ grace_period_seconds: '60' }, 'grace_period_seconds'],
      [{ expires_at: rfc3339(Date.now() - 1000) }, 'expires_at'],
      [{ expires_at: rfc3339(Date.now() + 400 * 86400_000) }, 'expires_at'],
      [{ token: 'mine' }, 'token'],
    ]) {
      assertFieldError(await server().post(rotatePath('acme', t.id), body, { bearer: owner() }), field);
    }
    assert.equal((await signIn(t.token)).status, 200, 'nothing changed: the secret still signs in');
    assert.equal((await server().token('acme', t.id, owner())).body.rotated_at, null);
    const r = await server().post(rotatePath('acme', t.id), { expires_at: expires }, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.expires_at, expires);
  });

  test('an expired token cannot be rotated (409); an unknown one is 404; a member without the right is 403', async (ctx) => {
    const expiresMs = Math.floor(Date.now() / 1000) * 1000 + 2000;
    const t = await create(ctx, 'acme', { label: 'rotate-expired', expires_at: rfc3339(expiresMs) });
    const other = await create(ctx, 'acme', { label: 'rotate-member' });
    assertDetailError(await server().post(rotatePath('acme', other.id), {}, { bearer: world.bearers.member }), 403);
    assertDetailError(await server().post(rotatePath('acme', '00000000-0000-4000-8000-000000000000'), {}, { bearer: owner() }), 404);
    await sleep(expiresMs - Date.now() + 1100);
    const detail = assertDetailError(await server().post(rotatePath('acme', t.id), {}, { bearer: owner() }), 409);
    assert.match(detail, /cannot be rotated/);
    assert.equal((await signIn(other.token)).status, 200, 'the refused rotation changed nothing');
  });
});

describe('POST /v2/access-tokens/self/rotate', () => {
  test('a token allowed to rotates itself with its own bearer; the audit names the organization', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'self', allow_self_rotation: true });
    const bearer = (await signIn(t.token)).body.access_token;
    const r = await server().post('/v2/access-tokens/self/rotate', { grace_period_seconds: 60 }, { bearer });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.id, t.id);
    assert.equal(r.body.allow_self_rotation, true);
    assert.ok(r.body.previous_token_expires_at);
    assert.equal((await signIn(r.body.token)).status, 200);
    const events = await audit('acme', 'access_token.rotate');
    assert.equal(events.find((e) => e.data.token_id === t.id)?.actor, 'acme');
  });

  test('only the current secret may rotate: a bearer of the replaced one cannot take the token over', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'self-old', allow_self_rotation: true });
    const rotated = await server().post(rotatePath('acme', t.id), { grace_period_seconds: 600 }, { bearer: owner() });
    const old = (await signIn(t.token)).body.access_token;
    assert.match(assertDetailError(await server().post('/v2/access-tokens/self/rotate', {}, { bearer: old }), 403),
      /current secret/);
    assert.equal((await signIn(rotated.body.token)).status, 200, 'the current secret still signs in');
    const current = (await signIn(rotated.body.token)).body.access_token;
    assert.equal((await server().post('/v2/access-tokens/self/rotate', {}, { bearer: current })).status, 200);
  });

  test('is refused to a token not allowed to, and to a person', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'not-self' });
    const bearer = (await signIn(t.token)).body.access_token;
    assert.match(assertDetailError(await server().post('/v2/access-tokens/self/rotate', {}, { bearer }), 403),
      /may not rotate itself/);
    assertDetailError(await server().post('/v2/access-tokens/self/rotate', {}, { bearer: owner() }), 403);
    assertDetailError(await server().post('/v2/access-tokens/self/rotate', {}, {}), 401);
    assert.equal((await signIn(t.token)).status, 200, 'still the same secret');
    // An OAT bearer still cannot manage tokens.
    assertDetailError(await server().post(rotatePath('acme', t.id), {}, { bearer }), 403);
  });
});

describe('GET/PUT /v2/orgs/{org}/access-token-policy', () => {
  test('is empty until set; PUT stores the whole policy and audits it', async (ctx) => {
    const empty = await server().get(policyPath('acme'), { bearer: owner() });
    assert.equal(empty.status, 200, String(empty));
    assert.deepEqual(empty.body, { max_lifetime_days: null, require_expiration: false, max_idle_days: null });
    const policy = { max_lifetime_days: 90, require_expiration: true, max_idle_days: 30 };
    assert.deepEqual(await setPolicy(ctx, 'acme', policy), policy);
    assert.deepEqual((await server().get(policyPath('acme'), { bearer: owner() })).body, policy);
    const [event] = await audit('acme', 'access_token_policy.update');
    assert.deepEqual(event.data.policy, policy);
  });

  test('bad bodies are 400 and change nothing; members without the right get 403', async (ctx) => {
    await setPolicy(ctx, 'acme', { max_idle_days: 10 });
    for (const [body, field] of [
      [{ max_lifetime_days: 0 }, 'max_lifetime_days'], [{ max_lifetime_days: 367 }, 'max_lifetime_days'],
      [{ max_idle_days: '3' }, 'max_idle_days'], [{ require_expiration: 'yes' }, 'require_expiration'],
      [{ max_age: 3 }, 'max_age'],
    ]) {
      assertFieldError(await server().request('PUT', policyPath('acme'), { json: body, bearer: owner() }), field);
    }
    assertDetailError(await server().request('PUT', policyPath('acme'), { json: {}, bearer: world.bearers.member }), 403);
    assertDetailError(await server().get(policyPath('globex'), { bearer: owner() }), 404);
    assert.deepEqual((await server().get(policyPath('acme'), { bearer: owner() })).body,
      { max_lifetime_days: null, require_expiration: false, max_idle_days: 10 });
  });

  test('is enforced at creation, rotation and activation, naming the policy; other edits are always allowed', async (ctx) => {
    const never = await create(ctx, 'acme', { label: 'before-policy' });
    await setPolicy(ctx, 'acme', { max_lifetime_days: 30 });
    assert.match(assertFieldError(await server().post('/v2/orgs/acme/access-tokens',
      { label: 'x', resources: never.resources }, { bearer: owner() }), 'expires_at')[0], /token policy/);
    assert.match(assertFieldError(await server().post('/v2/orgs/acme/access-tokens',
      { label: 'x', resources: never.resources, expires_at: rfc3339(Date.now() + 60 * 86400_000) }, { bearer: owner() }),
    'expires_at')[0], /at most 30 days/);
    await create(ctx, 'acme', { label: 'within', expires_at: rfc3339(Date.now() + 20 * 86400_000) });
    assertFieldError(await server().post(rotatePath('acme', never.id), {}, { bearer: owner() }), 'expires_at');
    // Edits that do not activate it are allowed: a rename, a deactivation.
    const renamed = await server().patch(item('acme', never.id), { label: 'renamed', allowed_cidrs: ['192.0.2.0/24'] },
      { bearer: owner() });
    assert.equal(renamed.status, 200, String(renamed));
    const off = await server().patch(item('acme', never.id), { is_active: false }, { bearer: owner() });
    assert.equal(off.status, 200, String(off));
    assert.match(assertFieldError(await server().patch(item('acme', never.id), { is_active: true }, { bearer: owner() }),
      'expires_at')[0], /Rotate it/);
    assert.equal((await server().token('acme', never.id, owner())).body.is_active, false, 'the refused activation changed nothing');
    const fixed = await server().post(rotatePath('acme', never.id),
      { grace_period_seconds: 3600, expires_at: rfc3339(Date.now() + 30 * 86400_000 - 60_000) }, { bearer: owner() });
    assert.equal(fixed.status, 200, String(fixed));
    assert.equal(fixed.body.previous_token_expires_at, null, 'a deactivated token\'s replaced secret gets no grace');
    const on = await server().patch(item('acme', never.id), { is_active: true }, { bearer: owner() });
    assert.equal(on.status, 200, String(on));
  });

  test('at sign-in: a token past the maximum lifetime or idle too long is refused with its own sentence, and restored when the policy loosens', async (ctx) => {
    const old = await create(ctx, 'acme', { label: 'old-token', expires_at: rfc3339(Date.now() + 20 * 86400_000) });
    const idle = await create(ctx, 'acme', { label: 'idle-token', expires_at: rfc3339(Date.now() + 20 * 86400_000) });
    const now = Math.floor(Date.now() / 1000);
    await runSql(world.db, `UPDATE tokens SET created_at = ${now - 40 * 86400}, last_used_at = ${now - 3600} WHERE id = '${old.id}'`);
    await runSql(world.db, `UPDATE tokens SET created_at = ${now - 10 * 86400}, last_used_at = ${now - 5 * 86400} WHERE id = '${idle.id}'`);
    await setPolicy(ctx, 'acme', { max_lifetime_days: 30, max_idle_days: 2 });

    assert.match(assertDetailError(await signIn(old.token), 401), /older than the organization's token policy allows/);
    assert.match(assertDetailError(await signIn(idle.token), 401), /not been used for longer/);
    const registry = await server().tokenService({ user: 'acme', secret: old.token, scopes: ['repository:acme/app:pull'] });
    assert.equal(registry.status, 401, String(registry));
    assert.match(registry.body.errors[0].message, /token policy/);
    const failures = await audit('acme', 'access_token.sign_in_failed');
    assert.ok(failures.some((e) => e.data.token_id === undefined && e.name === 'old-token' && /token policy/.test(e.data.reason)),
      JSON.stringify(failures.slice(0, 3)));
    // Nothing of the tokens changed: loosening the policy restores them.
    const t = (await server().token('acme', old.id, owner())).body;
    assert.equal(t.is_active, true);
    await setPolicy(ctx, 'acme', {});
    assert.equal((await signIn(old.token)).status, 200);
    assert.equal((await signIn(idle.token)).status, 200);
  });
});

describe('allowed_cidrs', () => {
  test('a token signs in only from its blocks; elsewhere it is a wrong secret, audited with the address', async (ctx) => {
    const inside = freshClientAddress();
    const outside = freshClientAddress();
    const t = await create(ctx, 'acme', { label: 'fenced', allowed_cidrs: [`${inside}/32`, '2001:db8::/32'] });
    assert.deepEqual(t.allowed_cidrs, [`${inside}/32`, '2001:db8::/32']);
    assert.equal((await signIn(t.token, { from: inside })).status, 200);
    assert.equal((await signIn(t.token, { from: outside })).body.detail, BAD_TOKEN);
    const registry = await server().request('GET', `/token?service=${encodeURIComponent('oat-registry')}&scope=repository:acme/app:pull`,
      { basic: ['acme', t.token], from: outside });
    assert.equal(registry.status, 401, String(registry));
    const failures = await audit('acme', 'access_token.sign_in_failed');
    const mine = failures.filter((e) => e.name === 'fenced');
    assert.ok(mine.length >= 2 && mine.every((e) => e.data.reason === 'address_not_allowed' && e.data.address === outside),
      JSON.stringify(mine));
    // Its bearers are held to the same blocks.
    const bearer = (await signIn(t.token, { from: inside })).body.access_token;
    const selfRotate = (from) => server().request('POST', '/v2/access-tokens/self/rotate', { json: {}, bearer, from });
    assertDetailError(await selfRotate(outside), 401);
    assertDetailError(await selfRotate(inside), 403);  // in its blocks: refused only as not allowed to rotate
    const open = await server().patch(item('acme', t.id), { allowed_cidrs: [] }, { bearer: owner() });
    assert.equal(open.status, 200, String(open));
    assert.deepEqual(open.body.allowed_cidrs, []);
    assert.equal((await signIn(t.token, { from: outside })).status, 200);
  });

  test('bad blocks are 400 naming each, and change nothing', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'fence-bad', allowed_cidrs: ['192.0.2.0/24'] });
    const messages = assertFieldError(await server().patch(item('acme', t.id),
      { allowed_cidrs: ['192.0.2.0/24', '192.0.2.7/24'] }, { bearer: owner() }), 'allowed_cidrs[1]');
    assert.match(messages[0], /did you mean "192\.0\.2\.0\/24"/);
    assertFieldError(await server().patch(item('acme', t.id), { allowed_cidrs: 'anywhere' }, { bearer: owner() }), 'allowed_cidrs');
    assertFieldError(await server().patch(item('acme', t.id),
      { allowed_cidrs: Array.from({ length: 21 }, (_, i) => `10.${i}.0.0/16`) }, { bearer: owner() }), 'allowed_cidrs');
    assert.deepEqual((await server().token('acme', t.id, owner())).body.allowed_cidrs, ['192.0.2.0/24']);
  });

  test('X-Forwarded-For names the client only when a trusted proxy sends it', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'proxied', allowed_cidrs: ['203.0.113.0/24'] });
    const via = { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' };
    // From 127.0.0.1, the trusted proxy: the client is the header's last address.
    assert.equal((await signIn(t.token, { from: '127.0.0.1', headers: via })).status, 200);
    assert.equal((await signIn(t.token, { from: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7, 198.51.100.9' } })).status, 401);
    // From any other address the header is the client's own say: ignored.
    assert.equal((await signIn(t.token, { headers: via })).status, 401);
  });

  test('what a client writes into X-Forwarded-For never makes it the proxy', async (ctx) => {
    // A token for jobs inside, next to the proxy; an outside client sends junk of its own, and
    // the proxy appends the address it saw.
    const t = await create(ctx, 'acme', { label: 'inside-only', allowed_cidrs: ['127.0.0.1/32'] });
    for (const spoof of ['junk', '127.0.0.1', '127.0.0.1:8080']) {
      const r = await signIn(t.token, { from: '127.0.0.1', headers: { 'x-forwarded-for': `${spoof}, 198.51.100.9` } });
      assert.equal(r.status, 401, `${spoof}: ${r}`);
    }
    assert.equal((await signIn(t.token, { from: '127.0.0.1' })).status, 200, 'the proxy itself, without a header');
  });
});

describe('POST /v2/access-tokens/revoke', () => {
  test('deactivates every existing active token reported, in each organization, and always answers 202 {received}', async (ctx) => {
    const from = freshClientAddress();
    const a = await create(ctx, 'acme', { label: 'leaked-a' });
    const b = await create(ctx, 'bizco', { label: 'leaked-b' });
    const off = await create(ctx, 'acme', { label: 'leaked-off' });
    await server().patch(item('acme', off.id), { is_active: false }, { bearer: owner() });
    const garbage = ['dckr_oat_' + 'A'.repeat(32), 'not a token', a.token];
    const r = await server().request('POST', '/v2/access-tokens/revoke',
      { json: { tokens: [a.token, b.token, off.token, ...garbage] }, from });
    assert.equal(r.status, 202, String(r));
    assert.deepEqual(r.body, { received: 6 });
    for (const [org, t] of [['acme', a], ['bizco', b]]) {
      assert.equal((await server().token(org, t.id, owner())).body.is_active, false, `${t.label} deactivated`);
      const events = await audit(org, 'access_token.revoke_leaked');
      const mine = events.filter((e) => e.data.token_id === t.id);
      assert.equal(mine.length, 1, JSON.stringify(events));
      assert.equal(mine[0].data.address, from);
    }
    const offEvents = (await audit('acme', 'access_token.revoke_leaked')).filter((e) => e.data.token_id === off.id);
    assert.equal(offEvents.length, 1, 'an inactive token\'s report is recorded for its owners');
    assert.match(offEvents[0].data.reason, /could no longer sign in/);
    const nothing = await server().request('POST', '/v2/access-tokens/revoke',
      { json: { tokens: ['nothing here'] }, from });
    assert.deepEqual([nothing.status, nothing.body], [202, { received: 1 }], 'the same answer for nothing valid');
  });

  test('a secret in a rotation\'s grace loses the rest of it; the token stays active', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'leaked-old' });
    const rotated = await server().post(rotatePath('acme', t.id), { grace_period_seconds: 3600 }, { bearer: owner() });
    await server().request('POST', '/v2/access-tokens/revoke', { json: { tokens: [t.token] }, from: freshClientAddress() });
    assert.equal((await signIn(t.token)).status, 401);
    assert.equal((await signIn(rotated.body.token)).status, 200);
  });

  test('malformed reports are 400 and change nothing; 60 reports an hour per address, then 429', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'not-leaked' });
    const from = freshClientAddress();
    for (const body of [{}, { tokens: [] }, { tokens: t.token }, { tokens: [t.token], why: 'x' }]) {
      const r = await server().request('POST', '/v2/access-tokens/revoke', { json: body, from });
      assertFieldError(r, Object.keys(r.body.fields ?? {})[0] ?? 'tokens');
    }
    assert.equal((await server().token('acme', t.id, owner())).body.is_active, true);
    for (let i = 4; i < 60; i += 1) {
      const r = await server().request('POST', '/v2/access-tokens/revoke', { json: { tokens: ['x'] }, from });
      assert.equal(r.status, 202, `report ${i + 1}: ${r}`);
    }
    const limited = await server().request('POST', '/v2/access-tokens/revoke', { json: { tokens: [t.token] }, from });
    assertDetailError(limited, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After');
    assert.equal(limited.headers['x-ratelimit-limit'], '60');
    assert.equal((await server().token('acme', t.id, owner())).body.is_active, true, 'a refused report changes nothing');
    assert.equal((await server().request('POST', '/v2/access-tokens/revoke',
      { json: { tokens: ['x'] }, from: freshClientAddress() })).status, 202, 'another address is not limited');
  });
});
