// Signing in to the registry: the username must be the organization's name, the password an
// active access token of that organization.
//
// Each refusal is a failed sign-in, and oatd holds back a client address after 5 failures in
// 5 minutes; this file makes 3, so it runs on its own stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { REFUSED, Stack, repo } from './harness.mjs';

let stack;
let ci;  // acme/app with scope-image-push

before(async () => {
  stack = await Stack.start();
  ci = await stack.seed('acme/app');
});

after(async () => { await stack?.stop(); });

test('a valid token pulls with the organization as username', async () => {
  const result = await stack.pull('acme/app', 'acme', ci.token);
  assert.equal(result.code, 0, stack.explain(result));
});

test("a person's username with a valid token is refused by skopeo", async () => {
  const result = await stack.pull('acme/app', 'owner', ci.token);
  assert.notEqual(result.code, 0, stack.explain(result));
  assert.match(result.stderr, REFUSED, stack.explain(result));
});

test("another organization's name with a valid token is a 401 UNAUTHORIZED at GET /token", async () => {
  const answer = await stack.oatd.tokenService({ user: 'other', secret: ci.token,
                                                 scopes: ['repository:acme/app:pull'] });
  assert.equal(answer.status, 401);
  assert.equal(answer.body.errors?.[0]?.code, 'UNAUTHORIZED', JSON.stringify(answer.body));
  assert.equal(typeof answer.body.errors[0].message, 'string');
  assert.equal(answer.body.token, undefined);
  assert.match(answer.headers['www-authenticate'] ?? '', /^Basic /);
});

test('skopeo login succeeds with a valid token', async () => {
  const result = await stack.login('acme', ci.token);
  assert.equal(result.code, 0, stack.explain(result));
  assert.match(result.stdout, /Login Succeeded/);
});

test('skopeo login fails with a deactivated token', async () => {
  const { id, token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
  assert.equal((await stack.patchToken('acme', id, { is_active: false })).status, 200);
  const result = await stack.login('acme', token);
  assert.notEqual(result.code, 0, stack.explain(result));
  assert.match(result.stderr, REFUSED, stack.explain(result));
});
