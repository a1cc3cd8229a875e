// Deactivating, activating, deleting and expiry take effect at the registry at once.
//
// Each refusal here is a failed sign-in, and oatd holds back a client address after 5 failures
// in 5 minutes; this file makes 3, so it runs on its own stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { REFUSED, Stack, repo, rfc3339, sleep } from './harness.mjs';

let stack;

const ok = (result) => assert.equal(result.code, 0, stack.explain(result));
// Runs `operation` and asserts that skopeo failed because the token service refused the
// sign-in (401), not because of a grant the registry found too small.
async function refusedAtSignIn(operation) {
  const mark = stack.accessLog.length;
  const result = await operation();
  assert.notEqual(result.code, 0, `expected a refusal\n${stack.explain(result)}`);
  assert.match(result.stderr, REFUSED, stack.explain(result));
  const answers = await stack.tokenAnswers(mark);
  assert.ok(answers.includes(401), `token service answers ${JSON.stringify(answers)}\n${stack.logs()}`);
}
const pullToken = () => stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);

before(async () => {
  stack = await Stack.start();
  await stack.seed('acme/app');
});

after(async () => { await stack?.stop(); });

test('a deactivated token is refused at its very next pull', async () => {
  const { id, token } = await pullToken();
  ok(await stack.pull('acme/app', 'acme', token));
  const patched = await stack.patchToken('acme', id, { is_active: false });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.is_active, false);
  await refusedAtSignIn(() => stack.pull('acme/app', 'acme', token));
});

test('a token activated again pulls again', async () => {
  const { id, token } = await pullToken();
  assert.equal((await stack.patchToken('acme', id, { is_active: false })).status, 200);
  const patched = await stack.patchToken('acme', id, { is_active: true });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.is_active, true);
  ok(await stack.pull('acme/app', 'acme', token));
});

test('a deleted token is refused for good', async () => {
  const { id, token } = await pullToken();
  ok(await stack.pull('acme/app', 'acme', token));
  assert.equal((await stack.deleteToken('acme', id)).status, 204);
  await refusedAtSignIn(() => stack.pull('acme/app', 'acme', token));
  assert.equal((await stack.getToken('acme', id)).status, 404);
  assert.equal((await stack.patchToken('acme', id, { is_active: true })).status, 404,
               'a deleted token cannot be brought back');
});

test('an expired token is refused', async () => {
  const expiresAt = rfc3339(Date.now() + 4000);  // 3 to 4 s ahead, whole seconds
  const { token, expires_at: echoed } = await stack.createToken(
    'acme', [repo('acme/app', 'scope-image-pull')], { expires_at: expiresAt });
  assert.equal(echoed, expiresAt);
  ok(await stack.pull('acme/app', 'acme', token));
  const wait = Date.parse(expiresAt) + 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  await refusedAtSignIn(() => stack.pull('acme/app', 'acme', token));
});
