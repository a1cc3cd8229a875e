// The activity view: the organization's audit log, newest first, filterable by action.
import assert from 'node:assert/strict';
import { consoleTest, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url, {
  async setup(w) {
    const { server, bearer } = w;
    const a = await server.createToken('acme', bearer, { label: 'audited' });
    const b = await server.createToken('acme', bearer, { label: 'short-lived' });
    for (const json of [{ is_active: false }, { is_active: true }, { label: 'audited-renamed' }, { is_active: false }]) {
      const r = await server.request('PATCH', `/v2/orgs/acme/access-tokens/${a.id}`, { bearer, json });
      assert.equal(r.status, 200, String(r));
    }
    const d = await server.request('DELETE', `/v2/orgs/acme/access-tokens/${b.id}`, { bearer });
    assert.equal(d.status, 204);
    // A failed sign-in with an access token is audited too.
    const f = await server.request('POST', '/v2/auth/token', {
      json: { identifier: 'acme', secret: `dckr_oat_${'x'.repeat(32)}` },
    });
    assert.equal(f.status, 401, String(f));
  },
});

/** The whole audit log of acme, newest first, from the API. */
async function auditLog() {
  const logs = [];
  for (let page = 1; ; ++page) {
    const r = await world.server.request('GET', `/v2/auditlogs/acme?page=${page}&page_size=100`, { bearer: world.bearer });
    assert.equal(r.status, 200, String(r));
    logs.push(...r.body.logs);
    if (!r.body.next) return logs;
  }
}

function shownActions(s) {
  return Array.from({ length: s['activity.rows'] ?? 0 }, (_, i) => s[`activity.row.${i}.action`]);
}

async function openActivity(c) {
  await c.click('nav.activity');
  return c.waitForStatus((s) => s.screen === 'activity' && s.pending === 0 && !s.loading && s['activity.total'] > 0,
    'the activity view loaded');
}

consoleTest(world, 'the activity view lists the audit log, newest first', async (c) => {
  const logs = await auditLog();
  await c.signIn('owner', { org: 'acme' });
  const s = await openActivity(c);
  assert.equal(new URL(c.page.url()).hash, '#/orgs/acme/activity');
  assert.equal(s['activity.total'], logs.length);
  assert.equal(s['activity.rows'], logs.length);
  assert.deepEqual(shownActions(s), logs.map((l) => l.action));
  assert.ok(shownActions(s).includes('access_token.sign_in_failed'), 'the failed sign-in is listed');
});

consoleTest(world, 'the action filter asks the server for one kind of event', async (c) => {
  const logs = await auditLog();
  await c.signIn('owner', { org: 'acme' });
  await openActivity(c);
  await c.click('activity.filter');
  await c.click('activity.filter.access_token.deactivate');
  let s = await c.waitForStatus((st) => st['activity.filter'] === 'access_token.deactivate' && st.pending === 0,
    'the filtered log');
  const want = logs.filter((l) => l.action === 'access_token.deactivate');
  assert.equal(want.length, 2);
  assert.equal(s['activity.total'], want.length, 'the server\'s count for this action');
  assert.equal(s['activity.rows'], want.length);
  assert.deepEqual(shownActions(s), want.map((l) => l.action));
  await c.shot('filtered');
  await c.click('activity.filter');
  await c.click('activity.filter.all');
  s = await c.waitForStatus((st, n) => st['activity.filter'] === '' && st.pending === 0 && st['activity.total'] === n,
    'the whole log again', { arg: logs.length });
  assert.equal(s['activity.rows'], logs.length);
});

consoleTest(world, 'an action taken in the console shows at the top after a reload', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const before = await openActivity(c);
  // Through the console: back to the tokens, activate the inactive token from its menu.
  await c.click('nav.tokens');
  await c.waitIdle('tokens');
  await c.type('tokens.filter', 'audited-renamed');
  assert.equal((await c.status())['tokens.row.0.state'], 'Inactive');
  await c.click('tokens.row.0.menu');
  await c.click('row.activate');
  await c.waitForStatus((s) => s['tokens.row.0.state'] === 'Active' && s.pending === 0, 'activated');
  const s = await openActivity(c);
  assert.equal(s['activity.total'], before['activity.total'] + 1);
  assert.equal(s['activity.row.0.action'], 'access_token.activate');
  // And the refresh button reloads what others did meanwhile.
  const logs = await auditLog();
  const token = (await world.server.tokens('acme', world.bearer)).find((t) => t.label === 'audited-renamed');
  await world.server.request('PATCH', `/v2/orgs/acme/access-tokens/${token.id}`, {
    bearer: world.bearer, json: { is_active: false },
  });
  await c.click('activity.refresh');
  const after = await c.waitForStatus((st, n) => st['activity.total'] === n && st.pending === 0,
    'the reloaded log', { arg: logs.length + 1 });
  assert.equal(after['activity.row.0.action'], 'access_token.deactivate');
});

consoleTest(world, 'a reload stays on the activity view, still signed in', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  await openActivity(c);
  await c.reload();
  assert.equal(new URL(c.page.url()).hash, '#/orgs/acme/activity');
  const s = await c.waitForStatus((st) => st.screen === 'activity' && st.pending === 0 && st['activity.total'] > 0,
    'the activity view after the reload');
  assert.equal(s['activity.total'], (await auditLog()).length);
  assert.equal(new URL(c.page.url()).hash, '#/orgs/acme/activity');
  assert.match(await c.page.title(), /acme/);
});
