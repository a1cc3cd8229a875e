// The token endpoints' happy paths, field by field, and the audit log they write:
//   POST/GET /v2/orgs/{org}/access-tokens, GET/PATCH/DELETE /v2/orgs/{org}/access-tokens/{id},
//   GET /v2/auditlogs/{org}, GET /v2/auditlogs/{org}/actions.
// Each test works in an organization of its own standing: acme (Team) for most, bizco
// (Business, 100 tokens) where many tokens are needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  PAGE_KEYS, SINGLE_TOKEN_EXTRA_KEYS, TIME_RE, TOKEN_KEYS, assertDetailError, assertKeys,
  assertTokenShape, freshClientAddress, rfc3339, tokenRequest, useWorld,
} from './harness.mjs';

const world = useWorld({ signIn: ['owner', 'companyowner'] });
const server = () => world.server;
const owner = () => world.bearers.owner;
const list = (org) => `/v2/orgs/${org}/access-tokens`;
const item = (org, id) => `/v2/orgs/${org}/access-tokens/${id}`;

// Creates a token for the test CTX and deletes it when the test ends, whatever the outcome.
async function create(ctx, org, fields) {
  const token = await server().createToken(org, owner(), fields);
  ctx.after(() => server().delete(item(org, token.id), { bearer: owner() }));
  return token;
}

async function remove(org, id) {
  const r = await server().delete(item(org, id), { bearer: owner() });
  assert.equal(r.status, 204, String(r));
}

describe('POST /v2/orgs/{org}/access-tokens', () => {
  test('answers 201 with the token object, its resources and the secret, field by field', async (ctx) => {
    const request = {
      label: 'deploy',
      description: 'pushes release images',
      resources: [{ type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-push'] }],
      expires_at: null,
    };
    const before = Date.now();
    const r = await server().post(list('acme'), request, { bearer: owner() });
    assert.equal(r.status, 201, String(r));
    const t = r.body;
    ctx.after(() => server().delete(item('acme', t.id), { bearer: owner() }));
    assertKeys(t, [...TOKEN_KEYS, ...SINGLE_TOKEN_EXTRA_KEYS, 'token'], 'create answer');
    assertTokenShape(t, { single: true, secret: true });
    assert.equal(t.label, 'deploy');
    assert.equal(t.description, 'pushes release images');
    assert.equal(t.created_by, 'owner');
    assert.equal(t.is_active, true);
    assert.ok(Date.parse(t.created_at) >= Math.floor(before / 1000) * 1000 - 1000, 'created_at is now');
    assert.ok(Date.parse(t.created_at) <= Date.now() + 1000, 'created_at is now');
    assert.equal(t.expires_at, null);
    assert.equal(t.last_used_at, null);
    assert.deepEqual(t.resources, request.resources);
    assert.deepEqual(t.last_used_addresses, []);
    assert.equal(t.pull_count, 0);
    assert.equal(t.push_count, 0);
  });

  test('the secret is dckr_oat_ and 32 base62 characters, different for every token', async (ctx) => {
    const a = await create(ctx, 'acme', { label: 'a' });
    const b = await create(ctx, 'acme', { label: 'b' });
    assert.match(a.token, /^dckr_oat_[A-Za-z0-9]{32}$/);
    assert.match(b.token, /^dckr_oat_[A-Za-z0-9]{32}$/);
    assert.notEqual(a.token, b.token);
    assert.notEqual(a.id, b.id);
  });

  test('an expires_at in the future is kept as given', async (ctx) => {
    const expires = rfc3339(Date.now() + 30 * 86400_000);
    const t = await create(ctx, 'acme', { expires_at: expires });
    assert.equal(t.expires_at, expires);
  });

  test('an expires_at with a time-zone offset is accepted and answered in UTC with Z', async (ctx) => {
    const utc = Math.floor(Date.now() / 1000) * 1000 + 30 * 86400_000;
    // The same instant written two hours ahead, as a clock at UTC+02:00 shows it.
    const local = rfc3339(utc + 2 * 3600_000).replace('Z', '+02:00');
    const t = await create(ctx, 'acme', { expires_at: local });
    assert.equal(t.expires_at, rfc3339(utc));
  });

  test('description and expires_at may be left out: empty description, never expires', async (ctx) => {
    const r = await server().post(list('acme'), {
      label: 'minimal',
      resources: [{ type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-pull'] }],
    }, { bearer: owner() });
    assert.equal(r.status, 201, String(r));
    ctx.after(() => server().delete(item('acme', r.body.id), { bearer: owner() }));
    assert.equal(r.body.description, '');
    assert.equal(r.body.expires_at, null);
  });

  test('every kind of resource is accepted and answered back as given', async (ctx) => {
    const resources = [
      { type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-pull', 'scope-tag-read'] },
      { type: 'TYPE_REPO', path: 'acme/*', scopes: ['scope-image-pull'] },
      { type: 'TYPE_REPO', path: '*/*/public', scopes: ['scope-image-pull'] },
      { type: 'TYPE_ORG', path: 'acme', scopes: ['scope-activity-read', 'scope-repository-list'] },
    ];
    const t = await create(ctx, 'acme', { resources });
    assert.deepEqual(t.resources, resources);
  });

  test('the label is trimmed of surrounding spaces', async (ctx) => {
    const t = await create(ctx, 'acme', { label: '  spaced out  ' });
    assert.equal(t.label, 'spaced out');
  });

  test('a company owner\'s token is created_by the company owner', async (ctx) => {
    const r = await server().post(list('acme'), tokenRequest('acme', { label: 'by company' }),
      { bearer: world.bearers.companyowner });
    assert.equal(r.status, 201, String(r));
    ctx.after(() => server().delete(item('acme', r.body.id), { bearer: owner() }));
    assert.equal(r.body.created_by, 'companyowner');
  });
});

describe('GET /v2/orgs/{org}/access-tokens', () => {
  test('answers {total, next, previous, results}; items are token objects without resources or secret', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'listed' });
    const r = await server().get(`${list('acme')}?page=1&page_size=10`, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, PAGE_KEYS, 'token list');
    assert.ok(Number.isInteger(r.body.total));
    assert.ok(Array.isArray(r.body.results));
    for (const entry of r.body.results) {
      assertKeys(entry, TOKEN_KEYS, 'list item');
      assertTokenShape(entry);
    }
    const entry = r.body.results.find((e) => e.id === t.id);
    const {
      resources, token, last_used_addresses, pull_count, push_count, previous_token_last_used_at,
      allow_self_rotation, allowed_cidrs, ...object
    } = t;
    assert.deepEqual(entry, object);
  });

  test('without page parameters answers the first page', async (ctx) => {
    const r = await server().get(list('acme'), { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, PAGE_KEYS, 'token list');
    assert.equal(r.body.previous, null);
  });

  test('pages: total counts all tokens, next/previous are full URLs or null, pages do not overlap', async (ctx) => {
    const created = [];
    for (let i = 0; i < 5; ++i) created.push(await create(ctx, 'bizco', { label: `page-${i}` }));
    const base = `${server().url}/v2/orgs/bizco/access-tokens`;
    const pages = [];
    for (const page of [1, 2, 3]) {
      const r = await server().get(`${list('bizco')}?page=${page}&page_size=2`, { bearer: owner() });
      assert.equal(r.status, 200, String(r));
      assert.equal(r.body.total, 5);
      pages.push(r.body);
    }
    assert.equal(pages[0].previous, null);
    assert.equal(pages[0].next, `${base}?page=2&page_size=2`);
    assert.equal(pages[1].previous, `${base}?page=1&page_size=2`);
    assert.equal(pages[1].next, `${base}?page=3&page_size=2`);
    assert.equal(pages[2].previous, `${base}?page=2&page_size=2`);
    assert.equal(pages[2].next, null);
    assert.deepEqual(pages.map((p) => p.results.length), [2, 2, 1]);
    const ids = pages.flatMap((p) => p.results.map((e) => e.id));
    assert.deepEqual([...ids].sort(), created.map((t) => t.id).sort());
  });

  test('the next link answers the next page', async (ctx) => {
    const created = [];
    for (let i = 0; i < 3; ++i) created.push(await create(ctx, 'bizco', { label: `link-${i}` }));
    const first = await server().get(`${list('bizco')}?page=1&page_size=2`, { bearer: owner() });
    const next = await server().get(first.body.next.slice(server().url.length), { bearer: owner() });
    assert.equal(next.status, 200, String(next));
    const onFirst = first.body.results.map((e) => e.id);
    assert.deepEqual(next.body.results.map((e) => e.id),
      created.map((t) => t.id).filter((id) => !onFirst.includes(id)), 'page 2 holds the rest');
  });

  test('a page past the end answers no results and a previous link', async (ctx) => {
    const t = await create(ctx, 'bizco', { label: 'alone' });
    const r = await server().get(`${list('bizco')}?page=5&page_size=10`, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.total, 1);
    assert.deepEqual(r.body.results, []);
    assert.equal(r.body.next, null);
    assert.equal(r.body.previous, `${server().url}/v2/orgs/bizco/access-tokens?page=4&page_size=10`);
  });

  test('tokens are listed newest first, in the order they were created', async (ctx) => {
    // Several tokens created within the same second must still come back newest first.
    const created = [];
    for (let i = 0; i < 6; ++i) created.push(await create(ctx, 'bizco', { label: `order-${i}` }));
    const r = await server().get(`${list('bizco')}?page=1&page_size=10`, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.deepEqual(r.body.results.map((e) => e.label), created.map((t) => t.label).reverse());
  });
});

describe('GET /v2/orgs/{org}/access-tokens/{id}', () => {
  test('answers 200 with the token object and resources, never the secret', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'viewed' });
    const r = await server().get(item('acme', t.id), { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assertTokenShape(r.body, { single: true });
    assert.ok(!('token' in r.body), 'no secret');
    const { token, ...withoutSecret } = t;
    assert.deepEqual(r.body, withoutSecret);
  });

  test('a token of another organization answers 404 as if it did not exist', async (ctx) => {
    const t = await create(ctx, 'bizco', { label: 'elsewhere' });
    assertDetailError(await server().get(item('acme', t.id), { bearer: owner() }), 404);
  });
});

describe('PATCH /v2/orgs/{org}/access-tokens/{id}', () => {
  const edits = [
    { name: 'label', body: { label: 'renamed' } },
    { name: 'description', body: { description: 'new words' } },
    { name: 'resources', body: { resources: [{ type: 'TYPE_REPO', path: 'acme/web', scopes: ['scope-image-delete'] }] } },
    { name: 'is_active (false)', body: { is_active: false } },
  ];
  for (const { name, body } of edits) {
    test(`changes ${name} alone and answers 200 with the whole token; GET shows the same`, async (ctx) => {
      const t = await create(ctx, 'acme', { label: 'original' });
      const { token, ...before } = t;
      const r = await server().patch(item('acme', t.id), body, { bearer: owner() });
      assert.equal(r.status, 200, String(r));
      assertTokenShape(r.body, { single: true });
      assert.deepEqual(r.body, { ...before, ...body });
      const again = await server().get(item('acme', t.id), { bearer: owner() });
      assert.deepEqual(again.body, r.body);
    });
  }

  test('changes several fields at once', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'several' });
    const body = { label: 'both', description: 'changed together', is_active: false };
    const r = await server().patch(item('acme', t.id), body, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.label, 'both');
    assert.equal(r.body.description, 'changed together');
    assert.equal(r.body.is_active, false);
  });

  test('is_active true reactivates a deactivated token', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'toggled' });
    await server().patch(item('acme', t.id), { is_active: false }, { bearer: owner() });
    const r = await server().patch(item('acme', t.id), { is_active: true }, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.is_active, true);
  });

  test('a deactivated token can still be edited', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'inactive' });
    await server().patch(item('acme', t.id), { is_active: false }, { bearer: owner() });
    const r = await server().patch(item('acme', t.id), { label: 'still editable' }, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.label, 'still editable');
    assert.equal(r.body.is_active, false);
  });
});

describe('DELETE /v2/orgs/{org}/access-tokens/{id}', () => {
  test('answers 204 with no body; the token is then gone from GET and the list', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'doomed' });
    const r = await server().delete(item('acme', t.id), { bearer: owner() });
    assert.equal(r.status, 204, String(r));
    assert.equal(r.text, '');
    assertDetailError(await server().get(item('acme', t.id), { bearer: owner() }), 404);
    const listed = await server().get(`${list('acme')}?page=1&page_size=100`, { bearer: owner() });
    assert.ok(!listed.body.results.some((e) => e.id === t.id));
  });

  test('deleting again answers 404', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'twice' });
    await remove('acme', t.id);
    assertDetailError(await server().delete(item('acme', t.id), { bearer: owner() }), 404);
  });

  test('a deactivated token can be deleted', async (ctx) => {
    const t = await create(ctx, 'acme', { label: 'off then gone' });
    await server().patch(item('acme', t.id), { is_active: false }, { bearer: owner() });
    assert.equal((await server().delete(item('acme', t.id), { bearer: owner() })).status, 204);
  });
});

describe('GET /v2/auditlogs/{org}', () => {
  const AUDIT_KEYS = ['total', 'next', 'previous', 'logs'];
  const EVENT_KEYS = ['account', 'action', 'name', 'actor', 'data', 'timestamp', 'action_description'];

  async function logsOf(query = '') {
    const r = await server().get(`/v2/auditlogs/bizco?page=1&page_size=100${query}`, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    return r.body;
  }

  test('create, update, deactivate, activate and delete are each logged, newest first, field by field', async (ctx) => {
    const before = (await logsOf()).total;
    const t = await create(ctx, 'bizco', { label: 'audited' });
    await server().patch(item('bizco', t.id), { label: 'audited-2' }, { bearer: owner() });
    await server().patch(item('bizco', t.id), { is_active: false }, { bearer: owner() });
    await server().patch(item('bizco', t.id), { is_active: true }, { bearer: owner() });
    await remove('bizco', t.id);

    const body = await logsOf();
    assertKeys(body, AUDIT_KEYS, 'audit log');
    assert.equal(body.total, before + 5);
    const mine = body.logs.filter((e) => e.data.token_id === t.id);
    assert.deepEqual(mine.map((e) => e.action), [
      'access_token.delete', 'access_token.activate', 'access_token.deactivate',
      'access_token.update', 'access_token.create',
    ]);
    for (const e of mine) {
      assertKeys(e, EVENT_KEYS, 'audit event');
      assert.equal(e.account, 'bizco');
      assert.equal(e.actor, 'owner');
      assert.equal(typeof e.name, 'string');
      assert.ok(e.data && typeof e.data === 'object' && !Array.isArray(e.data), 'data is an object');
      assert.match(e.timestamp, TIME_RE);
      assert.equal(typeof e.action_description, 'string');
      assert.ok(e.action_description.length > 0);
    }
    assert.equal(mine.at(-1).name, 'audited');
    assert.equal(mine[0].name, 'audited-2');
  });

  test('a failed sign-in with an access token is logged as access_token.sign_in_failed', async (ctx) => {
    const t = await create(ctx, 'bizco', { label: 'failing' });
    await server().patch(item('bizco', t.id), { is_active: false }, { bearer: owner() });
    const r = await server().post('/v2/auth/token', { identifier: 'bizco', secret: t.token },
      { from: freshClientAddress() });
    assertDetailError(r, 401);
    const body = await logsOf('&action=access_token.sign_in_failed');
    const event = body.logs.find((e) => e.name === 'failing' && e.account === 'bizco');
    assert.ok(event, JSON.stringify(body.logs));
    // The same record as a registry sign-in's, naming the route it came through.
    assert.deepEqual(Object.keys(event.data).sort(), ['address', 'reason', 'service']);
    assert.equal(event.data.service, 'api');
    assert.match(event.data.reason, /deactivated/);
  });

  test('action= filters the events to that action', async (ctx) => {
    const t = await create(ctx, 'bizco', { label: 'filtered' });
    await remove('bizco', t.id);
    const body = await logsOf('&action=access_token.create');
    assert.ok(body.total >= 1);
    assert.equal(body.logs.length, Math.min(body.total, 100));
    assert.ok(body.logs.every((e) => e.action === 'access_token.create'));
  });

  test('from= and to= bound the events by time', async (ctx) => {
    const t = await create(ctx, 'bizco', { label: 'timed' });
    await remove('bizco', t.id);
    const future = rfc3339(Date.now() + 3600_000);
    const past = '2000-01-01T00:00:00Z';
    assert.equal((await logsOf(`&from=${future}`)).total, 0);
    assert.equal((await logsOf(`&to=${past}`)).total, 0);
    const all = await logsOf();
    assert.equal((await logsOf(`&from=${past}&to=${future}`)).total, all.total);
  });

  test('pages: page_size bounds the logs, next is a full URL', async (ctx) => {
    const t = await create(ctx, 'bizco', { label: 'paged' });
    await remove('bizco', t.id);
    const r = await server().get('/v2/auditlogs/bizco?page=1&page_size=1', { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.logs.length, 1);
    assert.ok(r.body.total >= 2);
    assert.equal(r.body.next, `${server().url}/v2/auditlogs/bizco?page=2&page_size=1`);
    assert.equal(r.body.previous, null);
  });

  test('GET /v2/auditlogs/{org}/actions lists the nine access-token actions and the five of CI sign-in', async (ctx) => {
    const r = await server().get('/v2/auditlogs/acme/actions', { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ['actions'], 'actions answer');
    assertKeys(r.body.actions, ['access_token', 'oidc'], 'actions');
    assert.deepEqual(r.body.actions.oidc.actions.map((a) => a.name).sort(), [
      'oidc.exchange', 'oidc.exchange_refused', 'oidc_connection.create', 'oidc_connection.delete',
      'oidc_connection.update',
    ]);
    const group = r.body.actions.access_token;
    assertKeys(group, ['label', 'actions'], 'access_token group');
    assert.equal(typeof group.label, 'string');
    for (const a of group.actions) {
      assertKeys(a, ['name', 'description', 'label'], 'action');
      assert.ok(a.description.length > 0 && a.label.length > 0);
    }
    assert.deepEqual(group.actions.map((a) => a.name).sort(), [
      'access_token.activate', 'access_token.create', 'access_token.deactivate',
      'access_token.delete', 'access_token.revoke_leaked', 'access_token.rotate',
      'access_token.sign_in_failed', 'access_token.update', 'access_token_policy.update',
    ]);
  });
});
