// Bad input to the token endpoints: each is answered with a 4xx in the documented shape
// (400 {"fields","text"} naming the field; 404/409/413 {"detail","message"}) and leaves the
// database as it was: the organization's token list and audit-log total are the same after.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  assertDetailError, assertFieldError, rfc3339, tokenRequest, useWorld,
} from './harness.mjs';

let existing; // an acme token that the PATCH cases aim at

const world = useWorld({
  extraRepos: 60, // acme/r0 .. acme/r59, for the 50-repository limit
  setup: async (w) => {
    existing = await w.server.createToken('acme', w.bearers.owner, { label: 'existing' });
  },
});
const server = () => world.server;
const owner = () => world.bearers.owner;
const list = '/v2/orgs/acme/access-tokens';
const item = (id) => `/v2/orgs/acme/access-tokens/${id}`;

const repo = (path, scopes = ['scope-image-pull']) => ({ type: 'TYPE_REPO', path, scopes });
const repos = (n) => Array.from({ length: n }, (_, i) => repo(`acme/r${i}`));
const DAY = 86400_000;

/** Sends the request and checks the refusal; the token list and audit log must not change. */
async function expectRefused(send, check) {
  const before = await server().snapshot('acme', owner());
  const r = await send();
  check(r);
  assert.deepEqual(await server().snapshot('acme', owner()), before, 'the database is unchanged');
}

const post = (body) => () => server().request('POST', list, { bearer: owner(), body: typeof body === 'string' ? body : JSON.stringify(body) });
const patch = (body) => () => server().request('PATCH', item(existing.id), { bearer: owner(), body: typeof body === 'string' ? body : JSON.stringify(body) });
const create = (fields) => post(tokenRequest('acme', fields));

describe('POST /v2/orgs/{org}/access-tokens refuses bad input with 400 naming the field', () => {
  const cases = [
    ['a body that is not JSON', post('{"label": "x", '), 'non_field_errors'],
    ['an empty body', post(''), 'non_field_errors'],
    ['a JSON array instead of an object', post('[]'), 'non_field_errors'],
    ['a JSON string instead of an object', post('"label"'), 'non_field_errors'],
    ['no label', post({ resources: [repo('acme/app')] }), 'label'],
    ['a label that is a number', create({ label: 5 }), 'label'],
    ['a label of spaces only', create({ label: '   ' }), 'label'],
    ['a label of 101 characters', create({ label: 'x'.repeat(101) }), 'label'],
    ['a label with a line break', create({ label: 'two\nlines' }), 'label'],
    ['a description of 201 characters', create({ description: 'd'.repeat(201) }), 'description'],
    ['a description that is a number', create({ description: 42 }), 'description'],
    ['no resources', post({ label: 'x' }), 'resources'],
    ['an empty resources list', create({ resources: [] }), 'resources'],
    ['resources that is a string', create({ resources: 'acme/app' }), 'resources'],
    ['a resource that is not an object', create({ resources: ['acme/app'] }), 'resources[0]'],
    ['a resource type that does not exist', create({ resources: [{ type: 'TYPE_TEAM', path: 'acme/app', scopes: ['scope-image-pull'] }] }), 'resources[0].type'],
    ['a resource without a path', create({ resources: [{ type: 'TYPE_REPO', scopes: ['scope-image-pull'] }] }), 'resources[0].path'],
    ['scopes that is a string', create({ resources: [{ type: 'TYPE_REPO', path: 'acme/app', scopes: 'scope-image-pull' }] }), 'resources[0].scopes'],
    ['a scope that is not a string', create({ resources: [repo('acme/app', [7])] }), 'resources[0].scopes'],
    ['an unknown scope', create({ resources: [repo('acme/app', ['scope-image-pull', 'scope-image-teleport'])] }), 'resources[0].scopes'],
    ['no scopes', create({ resources: [repo('acme/app', [])] }), 'resources[0].scopes'],
    ['an organization scope on a repository', create({ resources: [repo('acme/app', ['scope-member-read'])] }), 'resources[0].scopes'],
    ['a repository scope on the organization', create({ resources: [{ type: 'TYPE_ORG', path: 'acme', scopes: ['scope-image-pull'] }] }), 'resources[0].scopes'],
    ['push on public repositories', create({ resources: [repo('*/*/public', ['scope-image-push'])] }), 'resources[0].scopes'],
    ['a repository that does not exist', create({ resources: [repo('acme/nope')] }), 'resources[0].path'],
    ['a repository of another organization', create({ resources: [repo('globex/app')] }), 'resources[0].path'],
    ['all repositories of another organization', create({ resources: [repo('globex/*')] }), 'resources[0].path'],
    ['an organization resource naming another organization', create({ resources: [{ type: 'TYPE_ORG', path: 'globex', scopes: ['scope-member-read'] }] }), 'resources[0].path'],
    ['a path that is not a repository path', create({ resources: [repo('Acme/App!')] }), 'resources[0].path'],
    ['the same repository twice', create({ resources: [repo('acme/app'), repo('acme/app', ['scope-image-push'])] }), 'resources[1].path'],
    ['51 repositories', create({ resources: repos(51) }), 'resources'],
    ['an unknown field', create({ colour: 'blue' }), 'colour'],
    ['expires_at in the past', create({ expires_at: rfc3339(Date.now() - DAY) }), 'expires_at'],
    ['expires_at now', create({ expires_at: rfc3339(Date.now()) }), 'expires_at'],
    ['expires_at more than 365 days ahead', create({ expires_at: rfc3339(Date.now() + 366 * DAY) }), 'expires_at'],
    ['expires_at that is not a time', create({ expires_at: 'next tuesday' }), 'expires_at'],
    ['expires_at that is a number', create({ expires_at: 1893456000 }), 'expires_at'],
  ];
  for (const [name, send, field] of cases) {
    test(`${name}: 400 naming "${field}", nothing changed`, async () => {
      await expectRefused(send, (r) => assertFieldError(r, field));
    });
  }

  test('several problems are all named at once', async () => {
    await expectRefused(create({ label: '', description: 'd'.repeat(201), resources: [] }), (r) => {
      assertFieldError(r, 'label');
      assertFieldError(r, 'description');
      assertFieldError(r, 'resources');
    });
  });

  test('51 repositories: the message states the limit of 50', async () => {
    await expectRefused(create({ resources: repos(51) }), (r) => {
      assert.match(assertFieldError(r, 'resources').join(' '), /50/);
    });
  });

  test('a body over 64 KiB answers 413 {detail, message}', async () => {
    const body = JSON.stringify(tokenRequest('acme', { description: 'x'.repeat(70 * 1024) }));
    await expectRefused(post(body), (r) => assertDetailError(r, 413));
  });

  test('an unknown organization answers 404 {detail, message}', async () => {
    await expectRefused(
      () => server().post('/v2/orgs/nosuchorg/access-tokens', tokenRequest('nosuchorg'), { bearer: owner() }),
      (r) => assertDetailError(r, 404));
  });
});

describe('POST /v2/orgs/{org}/access-tokens accepts the limits themselves', () => {
  const accepted = [
    ['50 repositories', { resources: repos(50) }],
    ['a description of 200 characters', { description: 'd'.repeat(200) }],
    ['a label of 100 characters', { label: 'l'.repeat(100) }],
    ['a label of 100 non-ASCII characters', { label: 'ü'.repeat(100) }],
    ['expires_at 364 days ahead', { expires_at: rfc3339(Date.now() + 364 * DAY) }],
    ['a null description', { description: null }],
  ];
  for (const [name, fields] of accepted) {
    test(`${name}: 201`, async () => {
      const r = await server().post(list, tokenRequest('acme', fields), { bearer: owner() });
      assert.equal(r.status, 201, String(r));
      assert.equal((await server().delete(item(r.body.id), { bearer: owner() })).status, 204);
    });
  }
});

describe('PATCH /v2/orgs/{org}/access-tokens/{id} refuses bad input and changes nothing', () => {
  const cases = [
    ['expires_at (it cannot be changed after creation)', patch({ expires_at: rfc3339(Date.now() + 7 * DAY) }), 'expires_at'],
    ['expires_at null', patch({ expires_at: null }), 'expires_at'],
    ['a body that is not JSON', patch('{"label":'), 'non_field_errors'],
    ['a JSON array', patch('[{"label":"x"}]'), 'non_field_errors'],
    ['is_active that is a string', patch({ is_active: 'no' }), 'is_active'],
    ['an empty label', patch({ label: '' }), 'label'],
    ['a label that is null', patch({ label: null }), 'label'],
    ['a description of 201 characters', patch({ description: 'd'.repeat(201) }), 'description'],
    ['an empty resources list', patch({ resources: [] }), 'resources'],
    ['an unknown scope', patch({ resources: [repo('acme/app', ['scope-everything'])] }), 'resources[0].scopes'],
    ['51 repositories', patch({ resources: repos(51) }), 'resources'],
    ['an unknown field', patch({ token: 'dckr_oat_x' }), 'token'],
    ['a valid label together with an invalid field', patch({ label: 'half applied?', is_active: 'yes' }), 'is_active'],
  ];
  for (const [name, send, field] of cases) {
    test(`${name}: 400 naming "${field}", nothing changed`, async () => {
      await expectRefused(send, (r) => assertFieldError(r, field));
    });
  }

  test('a body over 64 KiB answers 413', async () => {
    await expectRefused(patch({ description: 'x'.repeat(70 * 1024) }), (r) => assertDetailError(r, 413));
  });
});

describe('unknown organizations and token ids answer 404 and change nothing', () => {
  const unknownUuid = '00000000-0000-4000-8000-000000000000';
  const cases = [
    ['GET with an id that is not a UUID', () => server().get(item('not-a-uuid'), { bearer: owner() })],
    ['PATCH with an id that is not a UUID', () => server().patch(item('not-a-uuid'), { label: 'x' }, { bearer: owner() })],
    ['DELETE with an id that is not a UUID', () => server().delete(item('not-a-uuid'), { bearer: owner() })],
    ['GET with an unknown UUID', () => server().get(item(unknownUuid), { bearer: owner() })],
    ['PATCH with an unknown UUID', () => server().patch(item(unknownUuid), { label: 'x' }, { bearer: owner() })],
    ['DELETE with an unknown UUID', () => server().delete(item(unknownUuid), { bearer: owner() })],
    ['GET the list of an unknown organization', () => server().get('/v2/orgs/nosuchorg/access-tokens', { bearer: owner() })],
    ['PATCH a token through an unknown organization', () => server().patch(`/v2/orgs/nosuchorg/access-tokens/${existing.id}`, { label: 'x' }, { bearer: owner() })],
    ['DELETE a token through an unknown organization', () => server().delete(`/v2/orgs/nosuchorg/access-tokens/${existing.id}`, { bearer: owner() })],
  ];
  for (const [name, send] of cases) {
    test(`${name}: 404 {detail, message}`, async () => {
      await expectRefused(send, (r) => assertDetailError(r, 404));
    });
  }
});

describe('GET /v2/orgs/{org}/access-tokens refuses bad paging with 400', () => {
  const cases = [
    ['page=0', 'page=0&page_size=10', 'page'],
    ['page=abc', 'page=abc', 'page'],
    ['page=-1', 'page=-1', 'page'],
    ['page_size=0', 'page=1&page_size=0', 'page_size'],
    ['page_size=101', 'page=1&page_size=101', 'page_size'],
    ['page_size=1.5', 'page_size=1.5', 'page_size'],
  ];
  for (const [name, query, field] of cases) {
    test(`${name}: 400 naming "${field}"`, async () => {
      await expectRefused(
        () => server().get(`${list}?${query}`, { bearer: owner() }),
        (r) => assertFieldError(r, field));
    });
  }

  test('page_size=100 is accepted', async () => {
    const r = await server().get(`${list}?page=1&page_size=100`, { bearer: owner() });
    assert.equal(r.status, 200, String(r));
  });
});
