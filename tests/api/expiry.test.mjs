// Expired tokens: created with expires_at a few seconds ahead, then waited past. An expired
// token can be viewed and deleted (204) but not edited or (de)activated (409); it no longer
// signs in (401), and bearers it got while valid are refused at once (401).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  assertDetailError, freshClientAddress, rfc3339, sleep, useWorld,
} from './harness.mjs';

const tokens = {}; // label -> create answer
let expiresAt; // RFC 3339
let bearerBeforeExpiry;

const auditReader = [
  { type: 'TYPE_ORG', path: 'acme', scopes: ['scope-activity-read'] },
  { type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-pull'] },
];

const world = useWorld({
  setup: async (w) => {
    // Whole seconds, 2 to 3 seconds ahead.
    const expiresMs = Math.floor(Date.now() / 1000) * 1000 + 3000;
    expiresAt = rfc3339(expiresMs);
    for (const label of ['to-edit', 'to-delete', 'to-sign-in']) {
      tokens[label] = await w.server.createToken('acme', w.bearers.owner, {
        label, expires_at: expiresAt, resources: auditReader,
      });
    }
    bearerBeforeExpiry = await w.server.signIn('acme', tokens['to-sign-in'].token);
    const works = await w.server.get('/v2/auditlogs/acme', { bearer: bearerBeforeExpiry });
    assert.equal(works.status, 200, `before expiry the token's bearer works: ${works}`);
    // Past the expiry on this machine's clock, which the server shares.
    await sleep(Math.max(0, expiresMs + 200 - Date.now()));
  },
});
const server = () => world.server;
const owner = () => world.bearers.owner;
const item = (id) => `/v2/orgs/acme/access-tokens/${id}`;

describe('an expired token', () => {
  test('is still shown by GET (200) with the expires_at it was created with', async () => {
    const r = await server().get(item(tokens['to-edit'].id), { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.equal(r.body.expires_at, expiresAt);
    assert.ok(Date.parse(r.body.expires_at) <= Date.now(), 'expires_at has passed');
  });

  test('is counted expired by GET /metrics, at the first scrape after its expiry and the next', async () => {
    const gauge = (text, state) => Number(new RegExp(`^oatd_tokens\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    for (const scrape of ['first', 'second']) {
      const r = await server().get('/metrics');
      assert.equal(r.status, 200, String(r));
      assert.deepEqual(['active', 'inactive', 'expired'].map((s) => gauge(r.text, s)), [0, 0, 3],
        `the ${scrape} scrape`);
    }
  });

  const refusedEdits = [
    ['a new label', { label: 'renamed' }],
    ['a new description', { description: 'new words' }],
    ['new resources', { resources: [{ type: 'TYPE_REPO', path: 'acme/web', scopes: ['scope-image-pull'] }] }],
    ['deactivation', { is_active: false }],
    ['activation', { is_active: true }],
  ];
  for (const [name, body] of refusedEdits) {
    test(`refuses ${name} with 409 {detail, message}, and nothing changes`, async () => {
      const before = await server().snapshot('acme', owner());
      const r = await server().patch(item(tokens['to-edit'].id), body, { bearer: owner() });
      assertDetailError(r, 409);
      assert.deepEqual(await server().snapshot('acme', owner()), before);
    });
  }

  test('refuses a change of expires_at with 400 (never editable), not a state error', async () => {
    const r = await server().patch(item(tokens['to-edit'].id),
      { expires_at: rfc3339(Date.now() + 86400_000) }, { bearer: owner() });
    assert.equal(r.status, 400, String(r));
    assert.ok('expires_at' in r.body.fields, r.text);
  });

  test('can be deleted (204), and is then gone', async () => {
    const r = await server().delete(item(tokens['to-delete'].id), { bearer: owner() });
    assert.equal(r.status, 204, String(r));
    assertDetailError(await server().get(item(tokens['to-delete'].id), { bearer: owner() }), 404);
  });

  test('cannot sign in (401)', async () => {
    const r = await server().post('/v2/auth/token',
      { identifier: 'acme', secret: tokens['to-sign-in'].token }, { from: freshClientAddress() });
    assertDetailError(r, 401);
  });

  test('loses the bearer it got while valid (401)', async () => {
    assertDetailError(await server().get('/v2/auditlogs/acme', { bearer: bearerBeforeExpiry }), 401);
  });

  test('is counted as expired by oatd_tokens in /metrics', async () => {
    const listed = await server().get('/v2/orgs/acme/access-tokens?page=1&page_size=100', { bearer: owner() });
    const now = Date.now();
    const expired = listed.body.results.filter((t) => t.expires_at && Date.parse(t.expires_at) <= now).length;
    assert.ok(expired >= 2, 'to-edit and to-sign-in are expired');
    const metrics = await server().get('/metrics');
    assert.equal(metrics.status, 200);
    const m = /^oatd_tokens\{state="expired"\} (\d+)$/m.exec(metrics.text);
    assert.ok(m, metrics.text);
    assert.equal(Number(m[1]), expired);
  });
});
