// A rotation with a grace window at the real registry: during the grace both the old and the new
// secret pull; after it only the new one does, and the old one is refused at its sign-in.
// (One refused sign-in: its own stack, as every file that makes failures.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { REFUSED, Stack, repo, sleep } from './harness.mjs';

let stack;

before(async () => {
  stack = await Stack.start();
  await stack.seed('acme/app');
});

after(async () => { await stack?.stop(); });

test('old and new secrets both pull during the grace; only the new one after it', async () => {
  const { id, token: old } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')],
    { label: 'rotated' });
  assert.equal((await stack.pull('acme/app', 'acme', old)).code, 0, 'the secret pulls before the rotation');

  const rotated = await stack.oatd.post(`/v2/orgs/acme/access-tokens/${id}/rotate`,
    { grace_period_seconds: 4 }, { bearer: stack.bearer });
  assert.equal(rotated.status, 200, String(rotated));
  const fresh = rotated.body.token;
  const graceEnds = Date.parse(rotated.body.previous_token_expires_at);

  for (const [what, secret] of [['the old secret', old], ['the new secret', fresh]]) {
    const result = await stack.pull('acme/app', 'acme', secret);
    assert.equal(result.code, 0, `${what} pulls during the grace\n${stack.explain(result)}`);
  }
  assert.ok(Date.now() < graceEnds, 'both pulls ran inside the grace (a slower machine needs a longer one)');

  await sleep(Math.max(0, graceEnds - Date.now()) + 1100);
  const mark = stack.accessLog.length;
  const refused = await stack.pull('acme/app', 'acme', old);
  assert.notEqual(refused.code, 0, `the old secret after the grace\n${stack.explain(refused)}`);
  assert.match(refused.stderr, REFUSED, stack.explain(refused));
  assert.ok((await stack.tokenAnswers(mark)).includes(401), 'refused by the token service');
  const result = await stack.pull('acme/app', 'acme', fresh);
  assert.equal(result.code, 0, `the new secret pulls after the grace\n${stack.explain(result)}`);
});
