// The console's session cookie (POST /v2/auth/token, /v2/auth/refresh, /v2/auth/logout): a
// sign-in from the console's own page keeps the refresh credential in an HttpOnly, SameSite=Strict
// cookie limited to the refresh endpoint, which only that page can use; everyone else gets the
// refresh token in the body, as before.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertDetailError, assertKeys, password, useWorld } from './harness.mjs';

const SESSION_SECONDS = 3600;
const BEARER_SECONDS = 2;
const world = useWorld({
  signIn: [],
  serveArgs: () => ['--trusted-proxy', '127.0.0.1', '--session-lifetime', String(SESSION_SECONDS),
    '--bearer-lifetime', String(BEARER_SECONDS)],
});

/** The headers the console's page sends: its own header, and its origin, the API's. */
const own = () => ({ 'X-OAT-Console': '1', Origin: `http://127.0.0.1:${world.server.port}` });

/** The Set-Cookie values of an answer (node joins repeated ones). */
function setCookies(r) {
  const v = r.headers['set-cookie'];
  return v === undefined ? [] : (Array.isArray(v) ? v : [v]);
}

/** "oat_session=VALUE" of the one Set-Cookie an answer carries, and its attributes. */
function sessionCookie(r) {
  const cookies = setCookies(r);
  assert.equal(cookies.length, 1, `one Set-Cookie: ${JSON.stringify(cookies)}`);
  const [pair, ...attributes] = cookies[0].split(';').map((s) => s.trim());
  assert.match(pair, /^oat_session=/);
  return { pair, value: pair.slice('oat_session='.length), attributes };
}

async function consoleSignIn(headers = own()) {
  const r = await world.server.request('POST', '/v2/auth/token', {
    json: { identifier: 'owner', secret: password('owner'), refresh: true }, headers, from: '127.0.0.1',
  });
  assert.equal(r.status, 200, String(r));
  return r;
}

function refreshByCookie(pair, headers = own()) {
  return world.server.request('POST', '/v2/auth/refresh', { headers: { ...headers, Cookie: pair }, from: '127.0.0.1' });
}

describe('the console page\'s session cookie', () => {
  test('a sign-in from the console\'s page gets the cookie, HttpOnly, SameSite=Strict, limited to refresh, and no refresh token in the body', async () => {
    const r = await consoleSignIn();
    assertKeys(r.body, ['access_token', 'expires_in', 'refresh_expires_at'], 'sign-in answer');
    const { value, attributes } = sessionCookie(r);
    assert.match(value, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{20,}$/);
    assert.deepEqual(attributes.sort(),
      [`Max-Age=${SESSION_SECONDS}`, 'HttpOnly', 'Path=/v2/auth/refresh', 'SameSite=Strict'].sort());
  });

  test('the cookie is Secure when a trusted proxy says the request came over TLS', async () => {
    const r = await consoleSignIn({ ...own(), 'X-Forwarded-Proto': 'https' });
    assert.ok(sessionCookie(r).attributes.includes('Secure'), setCookies(r).join());
  });

  test('a sign-in from anywhere else gets the refresh token in the body and no cookie', async () => {
    for (const headers of [{}, { 'X-OAT-Console': '1' }, { 'X-OAT-Console': '1', Origin: 'https://evil.example' }]) {
      const r = await consoleSignIn(headers);
      assert.equal(typeof r.body.refresh_token, 'string', JSON.stringify(headers));
      assert.deepEqual(setCookies(r), [], JSON.stringify(headers));
    }
  });

  test('the console\'s page renews its session with the cookie alone', async () => {
    const { pair } = sessionCookie(await consoleSignIn());
    const r = await refreshByCookie(pair);
    assert.equal(r.status, 200, String(r));
    assertKeys(r.body, ['access_token', 'expires_in'], 'refresh answer');
    const me = await world.server.get('/v2/user', { bearer: r.body.access_token });
    assert.equal(me.status, 200, String(me));
    assert.equal(me.body.username, 'owner');
  });

  test('the cookie sent by another site, or without the console\'s header, renews nothing (403)', async () => {
    const { pair } = sessionCookie(await consoleSignIn());
    const refusals = [
      { 'X-OAT-Console': '1', Origin: 'https://evil.example' },
      { Origin: `http://127.0.0.1:${world.server.port}` },
      { 'X-OAT-Console': '1' },
      { 'X-OAT-Console': '1', Origin: 'null' },
    ];
    for (const headers of refusals) {
      const r = await refreshByCookie(pair, headers);
      assertDetailError(r, 403);
      assert.match(r.body.message, /console's own page/, JSON.stringify(headers));
      assert.equal(r.body.access_token, undefined);
    }
    // The session itself is untouched.
    assert.equal((await refreshByCookie(pair)).status, 200);
  });

  test('no cookie and no body: from the console\'s page the session has ended (401), from elsewhere 400 naming refresh_token', async () => {
    const r = await world.server.request('POST', '/v2/auth/refresh', { headers: own(), from: '127.0.0.1' });
    assertDetailError(r, 401);
    assert.equal(r.body.message, 'Your session has ended; sign in again.');
    const other = await world.server.request('POST', '/v2/auth/refresh', { from: '127.0.0.1' });
    assert.equal(other.status, 400, String(other));
    assert.match(other.text, /refresh_token/);
  });

  test('signing out with a bearer ends the session for every tab and clears the cookie; the cookie then answers 401 and is cleared', async () => {
    const signedIn = await consoleSignIn();
    const { pair } = sessionCookie(signedIn);
    const otherTab = (await refreshByCookie(pair)).body.access_token;

    const out = await world.server.request('POST', '/v2/auth/logout', { bearer: signedIn.body.access_token, headers: own() });
    assert.equal(out.status, 204, String(out));
    const cleared = sessionCookie(out);
    assert.equal(cleared.value, '');
    assert.ok(cleared.attributes.includes('Max-Age=0') && cleared.attributes.includes('Path=/v2/auth/refresh'),
      cleared.attributes.join('; '));

    assertDetailError(await world.server.get('/v2/user', { bearer: otherTab }), 401);
    const again = await refreshByCookie(pair);
    assertDetailError(again, 401);
    assert.equal(sessionCookie(again).value, '');
  });

  test('a bearer that lapsed within the session still signs out of it', async () => {
    const signedIn = await consoleSignIn();
    const { pair } = sessionCookie(signedIn);
    await new Promise((r) => setTimeout(r, (BEARER_SECONDS + 1.5) * 1000));
    assertDetailError(await world.server.get('/v2/user', { bearer: signedIn.body.access_token }), 401);
    const out = await world.server.request('POST', '/v2/auth/logout', { bearer: signedIn.body.access_token });
    assert.equal(out.status, 204, String(out));
    assertDetailError(await refreshByCookie(pair), 401);
  });
});
