// The console's session: a bearer lives --bearer-lifetime seconds and is renewed with the
// session's refresh token without a word; once the session itself (--session-lifetime) is over,
// the console returns to sign-in and says why. Short lifetimes make both happen within seconds.
import assert from 'node:assert/strict';
import { consoleTest, sleep, useConsole } from './harness.mjs';

const BEARER_SECONDS = 2;
const SESSION_SECONDS = 12;
const world = useConsole(import.meta.url, {
  serveArgs: ['--bearer-lifetime', String(BEARER_SECONDS), '--session-lifetime', String(SESSION_SECONDS)],
});

/** The API calls the page makes from now on: "METHOD path status". */
function recordCalls(c) {
  const calls = [];
  c.page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/v2/')) calls.push(`${r.request().method()} ${url.pathname} ${r.status()}`);
  });
  return calls;
}

consoleTest(world, 'a lapsed bearer is renewed unseen; a lapsed session returns to sign-in and says so', async (c) => {
  const calls = recordCalls(c);
  await c.signIn('owner', { org: 'acme' });
  const signedIn = Date.now();
  assert.ok(calls.includes('POST /v2/auth/token 200'), calls.join('\n'));

  // The bearer is over, the session is not: a refresh of the table renews it and goes on.
  await sleep(BEARER_SECONDS * 1000 + 1500);
  const before = calls.length;
  await c.refresh();
  let s = await c.status();
  assert.equal(s.screen, 'tokens');
  const renewal = calls.slice(before);
  assert.ok(renewal.includes('POST /v2/auth/refresh 200'), `calls: ${renewal.join(', ')}`);
  assert.ok(renewal.some((line) => /^GET \/v2\/orgs\/acme\/access-tokens 401$/.test(line)),
    `the old bearer was refused first: ${renewal.join(', ')}`);
  assert.ok(Date.now() - signedIn < SESSION_SECONDS * 1000, 'the renewal happened within the session');
  await c.shot('renewed');

  // The session is over too: the next call ends on the sign-in screen, with the reason.
  await sleep(Math.max(0, signedIn + SESSION_SECONDS * 1000 + 1500 - Date.now()));
  await c.click('tokens.refresh');
  s = await c.waitForStatus((st) => st.screen === 'signin', 'the sign-in screen');
  const w = await c.waitForWidget('signin.notice');
  assert.equal(w.text, 'Your session has ended; sign in again.');
  assert.ok(calls.includes('POST /v2/auth/refresh 401'), calls.join('\n'));
  // Nothing of the session is kept in the page's storage.
  const stored = await c.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(stored, /ey[A-Za-z0-9_-]{10,}\.|refresh|bearer/i, `storage: ${stored}`);
  await c.shot('lapsed');

  // Signing in again lands where the person was.
  await c.signIn('owner', { org: 'acme', replace: true });
  assert.equal(new URL(c.page.url()).hash, '#/orgs/acme/tokens');
});
