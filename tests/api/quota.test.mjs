// Token quotas by plan: Team 10, Business 100, Free none. At the limit creating is refused
// (400, the message states the limit) until a token is deleted; deactivated tokens still count.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertDetailError, tokenRequest, useWorld } from './harness.mjs';

const world = useWorld({ signIn: ['owner'] });
const server = () => world.server;
const owner = () => world.bearers.owner;
const list = (org) => `/v2/orgs/${org}/access-tokens`;
const item = (org, id) => `/v2/orgs/${org}/access-tokens/${id}`;

const createReq = (org, label) => server().post(list(org), tokenRequest(org, { label }), { bearer: owner() });

/** The refusal of a create at the limit: 400 in the fields/text shape, stating LIMIT. */
function assertQuotaRefusal(r, limit) {
  assert.equal(r.status, 400, String(r));
  assert.deepEqual(Object.keys(r.body).sort(), ['fields', 'text']);
  assert.match(r.body.text, new RegExp(`\\b${limit}\\b`), 'the message states the limit');
  assert.ok(Object.values(r.body.fields).flat().some((m) => new RegExp(`\\b${limit}\\b`).test(m)));
}

async function total(org) {
  const r = await server().get(`${list(org)}?page=1&page_size=1`, { bearer: owner() });
  assert.equal(r.status, 200, String(r));
  return r.body.total;
}

describe('Team plan: 10 tokens', () => {
  const ids = [];

  test('ten tokens are created', async () => {
    for (let i = 1; i <= 10; ++i) {
      const r = await createReq('acme', `team-${i}`);
      assert.equal(r.status, 201, `token ${i}: ${r}`);
      ids.push(r.body.id);
    }
    assert.equal(await total('acme'), 10);
  });

  test('the 11th is refused with 400 stating the limit of 10, and nothing changes', async () => {
    const before = await server().snapshot('acme', owner());
    assertQuotaRefusal(await createReq('acme', 'team-11'), 10);
    assert.deepEqual(await server().snapshot('acme', owner()), before);
    assert.equal(before.tokens.length, 10);
  });

  test('the organization reports token_count 10 of token_quota 10', async () => {
    const r = await server().get('/v2/orgs/acme', { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.token_quota, 10);
    assert.equal(r.body.token_count, 10);
  });

  test('a deactivated token still counts toward the limit', async () => {
    const off = await server().patch(item('acme', ids[0]), { is_active: false }, { bearer: owner() });
    assert.equal(off.status, 200, String(off));
    assertQuotaRefusal(await createReq('acme', 'team-11'), 10);
  });

  test('after a delete, one more can be created, and then the limit holds again', async () => {
    const del = await server().delete(item('acme', ids.shift()), { bearer: owner() });
    assert.equal(del.status, 204, String(del));
    const again = await createReq('acme', 'team-11');
    assert.equal(again.status, 201, String(again));
    ids.push(again.body.id);
    assertQuotaRefusal(await createReq('acme', 'team-12'), 10);
    assert.equal(await total('acme'), 10);
  });

  test('concurrent creates at the limit never go over it', async () => {
    // Free two places, then ask for six at once: exactly two may succeed.
    for (const id of ids.splice(0, 2)) {
      assert.equal((await server().delete(item('acme', id), { bearer: owner() })).status, 204);
    }
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => createReq('acme', `race-${i}`)));
    const created = answers.filter((r) => r.status === 201);
    assert.equal(created.length, 2, answers.map(String).join('\n'));
    for (const r of answers.filter((a) => a.status !== 201)) assertQuotaRefusal(r, 10);
    assert.equal(await total('acme'), 10);
  });
});

describe('Business plan: 100 tokens', () => {
  test('a hundred tokens are created and the 101st is refused stating the limit of 100', async () => {
    for (let i = 1; i <= 100; ++i) {
      const r = await createReq('bizco', `biz-${i}`);
      assert.equal(r.status, 201, `token ${i}: ${r}`);
    }
    assertQuotaRefusal(await createReq('bizco', 'biz-101'), 100);
    assert.equal(await total('bizco'), 100);
  });
});

describe('Free plan: no tokens', () => {
  test('creating a token is refused with 403 {detail, message}, and nothing is created', async () => {
    const r = await server().post(list('freeco'), tokenRequest('freeco', { resources: [
      { type: 'TYPE_REPO', path: 'freeco/*', scopes: ['scope-image-pull'] },
    ] }), { bearer: owner() });
    const detail = assertDetailError(r, 403);
    assert.match(detail, /Team|Business/);
    assert.equal(await total('freeco'), 0);
  });

  test('the organization reports token_quota 0', async () => {
    const r = await server().get('/v2/orgs/freeco', { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.token_quota, 0);
    assert.equal(r.body.token_count, 0);
  });
});
