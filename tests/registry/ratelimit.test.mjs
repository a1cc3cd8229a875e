// Failed sign-ins at the token service are rate limited: after 5 failures within 5 minutes for
// an organization name or from a client address, it answers 429 with Retry-After.
//
// This holds back 127.0.0.1 for 5 minutes, so it runs on its own oatd.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Stack, repo } from './harness.mjs';

let stack;
let valid;

before(async () => {
  stack = await Stack.start({ registry: false });
  valid = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
});

after(async () => { await stack?.stop(); });

const scopes = ['repository:acme/app:pull'];
const wrong = 'dckr_oat_thisIsNotTheTokenOfAnyOrg00';

test('five failed sign-ins are refused with 401, the sixth with 429 and Retry-After', async () => {
  for (let i = 1; i <= 5; i++) {
    const answer = await stack.oatd.tokenService({ user: 'acme', secret: wrong, scopes });
    assert.equal(answer.status, 401, `attempt ${i}: ${answer}`);
    assert.equal(answer.body.errors?.[0]?.code, 'UNAUTHORIZED');
  }
  const answer = await stack.oatd.tokenService({ user: 'acme', secret: wrong, scopes });
  assert.equal(answer.status, 429, String(answer));
  const retryAfter = Number(answer.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 300,
            `Retry-After ${answer.headers['retry-after']}`);
  assert.equal(answer.body.errors?.[0]?.code, 'TOOMANYREQUESTS', JSON.stringify(answer.body));
  // The same 429 as the management API's sign-in: the limit and when it resets.
  assert.equal(answer.headers['x-ratelimit-limit'], '5');
  assert.equal(answer.headers['x-ratelimit-remaining'], '0');
  const reset = Number(answer.headers['x-ratelimit-reset']);
  assert.ok(Math.abs(reset - (Math.floor(Date.now() / 1000) + retryAfter)) <= 2, `X-RateLimit-Reset ${reset}`);
});

test('while held back, even a valid token from the same address gets 429', async () => {
  const answer = await stack.oatd.tokenService({ user: 'acme', secret: valid.token, scopes });
  assert.equal(answer.status, 429, String(answer));
  assert.ok(Number(answer.headers['retry-after']) >= 1);
});

test('POST /token is held back too', async () => {
  const answer = await stack.oatd.request('POST', '/token', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: String(new URLSearchParams({ grant_type: 'password', service: 'oat-registry', scope: scopes[0],
                                       username: 'acme', password: valid.token })),
  });
  assert.equal(answer.status, 429, String(answer));
  assert.ok(Number(answer.headers['retry-after']) >= 1);
});
