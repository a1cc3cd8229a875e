// What the console reads: GET /v2/user, /v2/user/orgs, /v2/orgs/{org},
// /v2/namespaces/{org}/repositories; and the operations endpoints GET /healthz and /metrics.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  PAGE_KEYS, TIME_RE, assertDetailError, assertKeys, useWorld, waitFor,
} from './harness.mjs';

let oatBearer;

const world = useWorld({
  signIn: ['owner', 'editor', 'member', 'tokenmgr', 'viewer', 'companyowner', 'otherowner', 'outsider'],
  setup: async (w) => {
    const t = await w.server.createToken('acme', w.bearers.owner, { label: 'console robot' });
    oatBearer = await w.server.signIn('acme', t.token);
  },
});
const server = () => world.server;
const as = (user) => ({ bearer: world.bearers[user] });

const ORG_KEYS = ['id', 'orgname', 'plan', 'plan_name', 'role', 'is_company_owner', 'can_manage_tokens',
  'token_quota', 'token_count'];

async function orgsOf(user) {
  const r = await server().get('/v2/user/orgs', as(user));
  assert.equal(r.status, 200, String(r));
  return r.body;
}

describe('GET /v2/user', () => {
  test('answers exactly {id, username, date_joined} for the signed-in user', async () => {
    const r = await server().get('/v2/user', as('editor'));
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ['id', 'username', 'date_joined'], 'user');
    assert.ok(Number.isInteger(r.body.id));
    assert.equal(r.body.username, 'editor');
    assert.match(r.body.date_joined, TIME_RE);
  });

  test('without a bearer answers 401', async () => {
    assertDetailError(await server().get('/v2/user'), 401);
  });

  test('with an access token\'s bearer answers 403', async () => {
    assertDetailError(await server().get('/v2/user', { bearer: oatBearer }), 403);
  });
});

describe('GET /v2/user/orgs', () => {
  test('answers {total, next, previous, results} with each organization field by field', async () => {
    const body = await orgsOf('owner');
    assertKeys(body, PAGE_KEYS, 'organizations');
    assert.deepEqual(body.results.map((o) => o.orgname).sort(), ['acme', 'bizco', 'freeco']);
    assert.equal(body.total, 3);
    for (const o of body.results) {
      assertKeys(o, ORG_KEYS, `organization ${o.orgname}`);
      assert.ok(Number.isInteger(o.id));
      assert.ok(Number.isInteger(o.token_count));
    }
    const acme = body.results.find((o) => o.orgname === 'acme');
    assert.deepEqual({ ...acme, id: 0, token_count: 0 }, {
      id: 0, orgname: 'acme', plan: 'team', plan_name: 'Team', role: 'owner', is_company_owner: false,
      can_manage_tokens: true, token_quota: 10, token_count: 0,
    });
    const biz = body.results.find((o) => o.orgname === 'bizco');
    assert.equal(biz.plan, 'business');
    assert.equal(biz.plan_name, 'Business');
    assert.equal(biz.token_quota, 100);
    const free = body.results.find((o) => o.orgname === 'freeco');
    assert.equal(free.plan, 'free');
    assert.equal(free.plan_name, 'Free');
    assert.equal(free.token_quota, 0);
  });

  const standing = [
    ['an editor', 'editor', { role: 'editor', is_company_owner: false, can_manage_tokens: false }],
    ['a member', 'member', { role: 'member', is_company_owner: false, can_manage_tokens: false }],
    ['a custom role that may manage tokens', 'tokenmgr', { role: 'token-managers', is_company_owner: false, can_manage_tokens: true }],
    ['a custom role that may not', 'viewer', { role: 'viewers', is_company_owner: false, can_manage_tokens: false }],
    ['a company owner who is not a member', 'companyowner', { role: null, is_company_owner: true, can_manage_tokens: true }],
  ];
  for (const [name, user, expected] of standing) {
    test(`shows ${name} their role and whether they may manage tokens`, async () => {
      const body = await orgsOf(user);
      assert.deepEqual(body.results.map((o) => o.orgname), ['acme']);
      const { role, is_company_owner, can_manage_tokens } = body.results[0];
      assert.deepEqual({ role, is_company_owner, can_manage_tokens }, expected);
    });
  }

  test('token_count counts the organization\'s tokens', async (t) => {
    const before = (await orgsOf('owner')).results.find((o) => o.orgname === 'acme').token_count;
    const token = await server().createToken('acme', world.bearers.owner, { label: 'counted' });
    t.after(() => server().delete(`/v2/orgs/acme/access-tokens/${token.id}`, as('owner')));
    const after = (await orgsOf('owner')).results.find((o) => o.orgname === 'acme').token_count;
    assert.equal(after, before + 1);
  });

  test('a user in no organization gets an empty list', async () => {
    const body = await orgsOf('outsider');
    assert.deepEqual(body, { total: 0, next: null, previous: null, results: [] });
  });
});

describe('GET /v2/orgs/{org}', () => {
  test('answers the same object as the entry in /v2/user/orgs', async () => {
    const r = await server().get('/v2/orgs/acme', as('owner'));
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ORG_KEYS, 'organization');
    const entry = (await orgsOf('owner')).results.find((o) => o.orgname === 'acme');
    assert.deepEqual(r.body, entry);
  });

  for (const user of ['editor', 'member', 'viewer', 'companyowner']) {
    test(`is readable by ${user} (any standing in the organization)`, async () => {
      const r = await server().get('/v2/orgs/acme', as(user));
      assert.equal(r.status, 200, String(r));
    });
  }

  test('answers an outsider, another organization\'s owner and an unknown name the same 404', async () => {
    const outsider = await server().get('/v2/orgs/acme', as('outsider'));
    const other = await server().get('/v2/orgs/acme', as('otherowner'));
    const unknown = await server().get('/v2/orgs/nosuchorg', as('owner'));
    assertDetailError(outsider, 404);
    assertDetailError(other, 404);
    assertDetailError(unknown, 404);
    assert.deepEqual(other.body, outsider.body);
    assert.deepEqual(unknown.body, outsider.body);
  });
});

describe('GET /v2/namespaces/{org}/repositories', () => {
  const REPO_KEYS = ['name', 'namespace', 'is_private', 'date_registered'];

  test('answers {total, next, previous, results} with each repository field by field', async () => {
    const r = await server().get('/v2/namespaces/acme/repositories?page=1&page_size=10', as('member'));
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, PAGE_KEYS, 'repositories');
    assert.equal(r.body.total, 3);
    assert.equal(r.body.next, null);
    assert.equal(r.body.previous, null);
    for (const repo of r.body.results) {
      assertKeys(repo, REPO_KEYS, 'repository');
      assert.equal(repo.namespace, 'acme');
      assert.match(repo.date_registered, TIME_RE);
    }
    const privacy = Object.fromEntries(r.body.results.map((x) => [x.name, x.is_private]));
    assert.deepEqual(privacy, { app: true, docs: false, web: true });
  });

  test('pages with full next/previous URLs', async () => {
    const first = await server().get('/v2/namespaces/acme/repositories?page=1&page_size=2', as('member'));
    assert.equal(first.status, 200, String(first));
    assert.equal(first.body.results.length, 2);
    assert.equal(first.body.next, `${server().url}/v2/namespaces/acme/repositories?page=2&page_size=2`);
    const second = await server().get('/v2/namespaces/acme/repositories?page=2&page_size=2', as('member'));
    assert.equal(second.body.results.length, 1);
    assert.equal(second.body.previous, `${server().url}/v2/namespaces/acme/repositories?page=1&page_size=2`);
    assert.equal(second.body.next, null);
  });

  test('answers an outsider 404', async () => {
    assertDetailError(await server().get('/v2/namespaces/acme/repositories', as('outsider')), 404);
  });
});

describe('GET /v2/auditlogs/{org} access', () => {
  test('an editor is refused with 403', async () => {
    assertDetailError(await server().get('/v2/auditlogs/acme', as('editor')), 403);
  });

  test('an outsider gets 404', async () => {
    assertDetailError(await server().get('/v2/auditlogs/acme', as('outsider')), 404);
  });

  test('a custom role that may manage tokens may read it', async () => {
    assert.equal((await server().get('/v2/auditlogs/acme', as('tokenmgr'))).status, 200);
  });

  test('an access token without scope-activity-read is refused with 403', async () => {
    assertDetailError(await server().get('/v2/auditlogs/acme', { bearer: oatBearer }), 403);
  });
});

describe('GET /healthz and /metrics', () => {
  const counter = (text, route, method, status) => {
    const m = new RegExp(`^oatd_http_requests_total\\{route="${route.replace(/[{}]/g, '\\$&')}",method="${method}",status="${status}"\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  const metrics = async () => {
    const r = await server().get('/metrics');
    assert.equal(r.status, 200, String(r));
    return r.text;
  };

  test('/healthz answers 200 exactly {"status":"ok"}', async () => {
    const r = await server().get('/healthz');
    assert.equal(r.status, 200, String(r));
    assert.deepEqual(r.body, { status: 'ok' });
  });

  test('/metrics is Prometheus text with HELP and TYPE for the three metrics', async () => {
    const r = await server().get('/metrics');
    assert.equal(r.status, 200, String(r));
    assert.match(r.headers['content-type'], /^text\/plain/);
    for (const [name, type] of [
      ['oatd_http_requests_total', 'counter'],
      ['oatd_http_request_duration_seconds', 'histogram'],
      ['oatd_tokens', 'gauge'],
    ]) {
      assert.match(r.text, new RegExp(`^# HELP ${name} \\S`, 'm'));
      assert.match(r.text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'));
    }
    for (const line of r.text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(line, /^[a-z_]+(\{([a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (\+Inf|[0-9.e+-]+)$/, `a sample line: ${line}`);
    }
  });

  test('oatd_http_requests_total counts requests by route pattern, method and status', async () => {
    const route = '/v2/orgs/{org}/access-tokens/{id}';
    const before = counter(await metrics(), route, 'GET', 404);
    await server().get('/v2/orgs/acme/access-tokens/00000000-0000-4000-8000-000000000000', as('owner'));
    await waitFor(async () => counter(await metrics(), route, 'GET', 404) === before + 1,
      'the request to be counted');
  });

  test('oatd_http_request_duration_seconds is a histogram per route with cumulative buckets', async () => {
    await server().get('/healthz');
    const text = await metrics();
    const buckets = [...text.matchAll(/^oatd_http_request_duration_seconds_bucket\{route="\/healthz",le="([^"]+)"\} (\d+)$/gm)];
    assert.ok(buckets.length >= 2, 'buckets for /healthz');
    assert.equal(buckets.at(-1)[1], '+Inf');
    const counts = buckets.map((b) => Number(b[2]));
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'buckets are cumulative');
    const count = /^oatd_http_request_duration_seconds_count\{route="\/healthz"\} (\d+)$/m.exec(text);
    assert.ok(count, 'a _count line');
    assert.equal(Number(count[1]), counts.at(-1), '_count equals the +Inf bucket');
    assert.match(text, /^oatd_http_request_duration_seconds_sum\{route="\/healthz"\} [0-9.e+-]+$/m);
  });

  test('oatd_tokens counts tokens by state: a new token is active, a deactivated one inactive', async (t) => {
    const gauge = (text, state) => Number(new RegExp(`^oatd_tokens\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)[1]);
    const before = await metrics();
    const token = await server().createToken('acme', world.bearers.owner, { label: 'gauged' });
    t.after(() => server().delete(`/v2/orgs/acme/access-tokens/${token.id}`, as('owner')));
    const created = await metrics();
    assert.equal(gauge(created, 'active'), gauge(before, 'active') + 1);
    assert.equal(gauge(created, 'inactive'), gauge(before, 'inactive'));
    await server().patch(`/v2/orgs/acme/access-tokens/${token.id}`, { is_active: false }, as('owner'));
    const deactivated = await metrics();
    assert.equal(gauge(deactivated, 'active'), gauge(before, 'active'));
    assert.equal(gauge(deactivated, 'inactive'), gauge(before, 'inactive') + 1);
    assert.equal(gauge(deactivated, 'expired'), gauge(before, 'expired'));
  });
});
