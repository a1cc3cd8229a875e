// Sign-in rate limiting: after 5 failed sign-ins within 5 minutes for one identifier, or from
// one client address, sign-in answers 429 with Retry-After and X-RateLimit-* headers, whatever
// the credentials. This file runs its own server so its lockouts touch no other test; each test
// locks identifiers and loopback addresses (127.0.0.x) of its own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  Oatd, assertDetailError, freshClientAddress, password, useWorld,
} from './harness.mjs';

let globexToken;

const world = useWorld({
  signIn: ['otherowner'],
  setup: async (w) => {
    globexToken = await w.server.createToken('globex', w.bearers.otherowner, { label: 'robot' });
  },
});
const server = () => world.server;

const signIn = (identifier, secret, from = freshClientAddress(), path = '/v2/auth/token') =>
  server().post(path, path === '/v2/auth/token' ? { identifier, secret } : { username: identifier, password: secret }, { from });

/** Five failed sign-ins for IDENTIFIER, each from its own address. */
async function failFiveTimes(identifier, secret = 'wrong-password', path) {
  for (let i = 0; i < 5; ++i) {
    const r = await signIn(identifier, secret, freshClientAddress(), path);
    assertDetailError(r, 401);
  }
}

describe('sign-in rate limiting', () => {
  test('after 5 failures for an identifier, even the right password answers 429, from any address', async () => {
    await failFiveTimes('owner');
    const r = await signIn('owner', password('owner'));
    assertDetailError(r, 429);
  });

  test('the 429 carries Retry-After (seconds, within the 5-minute window) and X-RateLimit-Limit/-Remaining/-Reset', async () => {
    await failFiveTimes('editor');
    const r = await signIn('editor', password('editor'));
    assertDetailError(r, 429);
    const retryAfter = Number(r.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 300, `Retry-After: ${r.headers['retry-after']}`);
    assert.equal(r.headers['x-ratelimit-limit'], '5');
    assert.equal(r.headers['x-ratelimit-remaining'], '0');
    const reset = Number(r.headers['x-ratelimit-reset']);
    const date = Math.floor(Date.parse(r.headers.date) / 1000);
    assert.ok(Number.isInteger(reset), `X-RateLimit-Reset: ${r.headers['x-ratelimit-reset']}`);
    assert.ok(Math.abs(reset - (date + retryAfter)) <= 1,
      `X-RateLimit-Reset (${reset}) is the Date (${date}) plus Retry-After (${retryAfter})`);
  });

  test('a lock survives a restart of the server: the failures are kept in the database', async () => {
    await failFiveTimes('ghost-restart');
    await world.server.stop();
    world.server = await Oatd.start(world.dir);
    const r = await signIn('ghost-restart', 'wrong-password');
    assertDetailError(r, 429);
    assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After: ${r.headers['retry-after']}`);
  });

  test('four failures do not lock: the right password still signs in', async () => {
    for (let i = 0; i < 4; ++i) assertDetailError(await signIn('viewer', 'wrong-password'), 401);
    const r = await signIn('viewer', password('viewer'));
    assert.equal(r.status, 200, String(r));
  });

  test('a locked identifier does not lock other identifiers', async () => {
    await failFiveTimes('companyowner');
    assertDetailError(await signIn('companyowner', password('companyowner')), 429);
    const r = await signIn('tokenmgr', password('tokenmgr'));
    assert.equal(r.status, 200, String(r));
  });

  test('20 failures from one address lock that address for every identifier; other addresses still sign in', async () => {
    const address = freshClientAddress();
    for (let i = 1; i <= 20; ++i) assertDetailError(await signIn(`ghost${i}`, 'wrong-password', address), 401);
    assertDetailError(await signIn('member', password('member'), address), 429);
    const elsewhere = await signIn('member', password('member'));
    assert.equal(elsewhere.status, 200, String(elsewhere));
  });

  test('failed sign-ins with an access token count too: the valid token is then refused with 429', async () => {
    const wrong = `${globexToken.token.slice(0, -1)}${globexToken.token.endsWith('A') ? 'B' : 'A'}`;
    await failFiveTimes('globex', wrong);
    assertDetailError(await signIn('globex', globexToken.token), 429);
  });

  test('POST /v2/users/login is limited the same way', async () => {
    await failFiveTimes('outsider', 'wrong-password', '/v2/users/login');
    const r = await signIn('outsider', password('outsider'), freshClientAddress(), '/v2/users/login');
    assertDetailError(r, 429);
    assert.ok(r.headers['retry-after'], 'Retry-After');
  });
});
