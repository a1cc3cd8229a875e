// The console's session across reloads and tabs: on the API's own origin the refresh credential
// is a cookie no script can read (HttpOnly, SameSite=Strict, only for /v2/auth/refresh), so a
// reload or a new tab carries on signed in; signing out in one tab ends the session in all of
// them; and a request from another site carrying the cookie renews nothing.
import assert from 'node:assert/strict';
import { Console, consoleTest, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url);

/** The context's session cookie, or undefined. */
async function sessionCookie(c) {
  return (await c.context.cookies()).find((k) => k.name === 'oat_session');
}

/** A second tab of the same browser (same cookies), opened at the console's address. */
async function secondTab(c, hash = '') {
  const page = await c.context.newPage();
  const tab = new Console(c.world, c.context, page, `${c.name}.tab2`);
  tab.base = c.base;
  await tab.goto(hash);
  return tab;
}

consoleTest(world, 'a reload and a second tab carry on the session; its credential is a cookie no script reads', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const cookie = await sessionCookie(c);
  assert.ok(cookie, 'the sign-in set the session cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/v2/auth/refresh');
  assert.equal(cookie.secure, false, 'plain HTTP here: not Secure');
  assert.ok(cookie.expires > Date.now() / 1000 + 6 * 86400, `lasts the session (7 days): ${cookie.expires}`);
  assert.equal(await c.page.evaluate(() => document.cookie), '', 'no script sees it');
  const stored = await c.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(stored, /ey[A-Za-z0-9_-]{10,}\.|refresh|bearer/i, `storage: ${stored}`);

  await c.click('nav.activity');
  await c.waitIdle('activity');
  await c.reload();
  let s = await c.waitIdle('activity');
  assert.equal(s.org, 'acme');
  assert.equal(s.user, 'owner');
  assert.equal(await c.hasWidget('signin.username'), false);

  const tab = await secondTab(c, '#/orgs/bizco/tokens');
  try {
    s = await tab.waitIdle('tokens');
    assert.equal(s.org, 'bizco');
    assert.equal(s.user, 'owner');
    await tab.shot('second-tab');
  } finally {
    await tab.close().catch(() => {});
  }
});

consoleTest(world, 'signing out in one tab ends the session in the other at once, and clears the cookie', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const { value } = await sessionCookie(c);
  const tab = await secondTab(c);
  try {
    await tab.waitIdle('tokens');
    await c.click('topbar.signout');
    await c.waitIdle('signin');
    // The other tab follows without being touched.
    await tab.waitIdle('signin');
    assert.equal((await tab.waitForWidget('signin.notice')).text, 'You signed out in another tab.');
    assert.equal(await sessionCookie(c), undefined, 'the cookie is cleared');
    // The session is over on the server too: its old cookie renews nothing.
    const r = await c.context.request.post(`${c.world.server.url}/v2/auth/refresh`, {
      headers: { 'X-OAT-Console': '1', Origin: c.world.server.url, Cookie: `oat_session=${value}` },
    });
    assert.equal(r.status(), 401);
    // A reload of either tab asks for the password.
    await tab.reload();
    await tab.waitIdle('signin');
    await tab.waitForWidget('signin.username');
    // Signing in again in one tab brings the other back too.
    await tab.signIn('owner', { org: 'acme' });
    const s = await c.waitIdle('tokens');
    assert.equal(s.user, 'owner');
  } finally {
    await tab.close().catch(() => {});
  }
});

consoleTest(world, 'a request from another site carrying the cookie is refused', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  assert.ok(await sessionCookie(c));
  const url = `${c.world.server.url}/v2/auth/refresh`;
  // The browser's own cookie jar sends it; the Origin is another site's, or the console's
  // header is missing (a form post).
  for (const headers of [{ 'X-OAT-Console': '1', Origin: 'https://evil.example' }, { Origin: c.world.server.url }]) {
    const r = await c.context.request.post(url, { headers });
    assert.equal(r.status(), 403, JSON.stringify(headers));
    const body = await r.json();
    assert.match(body.message, /console's own page/);
    assert.equal(body.access_token, undefined);
  }
  // From the console's page itself it works.
  const ok = await c.context.request.post(url, { headers: { 'X-OAT-Console': '1', Origin: c.world.server.url } });
  assert.equal(ok.status(), 200);
});
