// A token's lifecycle in the console: rotation with a grace for the old secret (the new one shown
// once, the drawer saying until when the old one works and when it was last used), the
// organization's token policy (its page, the generate dialog then offering only what it allows,
// the table marking what it blocks), and a token's address allow-list and self-rotation.
import assert from 'node:assert/strict';
import { runSql } from '../lib/database.mjs';
import { consoleTest, onlyRow, registrySignIn, rfc3339, sleep, useConsole, waitFor } from './harness.mjs';

const world = useConsole(import.meta.url);

const POLICY = '/v2/orgs/acme/access-token-policy';

async function setPolicy(policy) {
  const r = await world.server.request('PUT', POLICY, { bearer: world.bearer, json: policy });
  assert.equal(r.status, 200, String(r));
}

async function apiToken(id) {
  return (await world.server.token('acme', id, world.bearer)).body;
}


/** Opens row 0's menu and clicks NAME in it. */
async function rowAction(c, name) {
  await c.click('tokens.row.0.menu');
  await c.waitForStatus((s) => Boolean(s.menu), 'the row menu');
  await c.waitForWidget('row.delete');
  await c.click(name);
}

/** Opens the details drawer of row 0 and waits for the single token's answer. */
async function openDetails(c) {
  await c.click('tokens.row.0');
  await c.waitForStatus((s) => s.dialog === 'details' && s['details.loading'] === 0 && s.pending === 0,
    'the details drawer, loaded');
}

/** Scrolls the open dialog's body down (the mouse wheel over its first field) to its end. */
async function scrollDialogDown(c, over) {
  const { x, y } = await c.center(over);
  await c.page.mouse.move(x, y);
  await c.waitFrames(1);
  await c.page.mouse.wheel(0, 2000);
  await c.waitFrames(4);
}

async function closeDetails(c) {
  await c.press('Escape');
  await c.waitForStatus((s) => !s.dialog, 'the drawer closed');
}

consoleTest(world, 'rotate with a grace of a day: the new secret is shown once, the drawer shows until when the old one works', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'rotate-me' });
  const oldSecret = t.token;
  await onlyRow(c, 'rotate-me');
  await rowAction(c, 'row.rotate');
  await c.waitForStatus((s) => s.dialog === 'rotate', 'the rotate dialog');
  await c.waitForWidget('rotate.grace.1d');
  assert.equal((await c.widgets())['rotate.grace.none'].selected, true, 'no grace unless chosen');
  assert.match(await c.text('rotate.grace.summary'), /stops working at once/);
  assert.equal(await c.text('rotate.expiry.current'), 'Never expires');
  await c.click('rotate.grace.1d');
  await c.waitForStatus((s) => s['rotate.valid'] === 1, 'a valid rotation');
  assert.match(await c.text('rotate.grace.summary'), /^Jobs can sign in with the old secret until .*\(tomorrow\); then only the new one works\.$/);
  await c.shot('dialog');
  const before = Date.now();
  await c.click('rotate.submit');

  // The new secret, shown once as after a create, with the old one's grace.
  const secret = await c.copySecret();
  assert.notEqual(secret, oldSecret);
  assert.match(await c.text('created.previous'), /^The old secret keeps working until .*\(tomorrow\); then only this one does\.$/);
  await c.shot('created');
  await c.closeCreated();
  await c.waitForNoWidget('created.token');

  // The API agrees: rotated now, the old secret valid for a day; both sign in meanwhile.
  const api = await apiToken(t.id);
  assert.ok(api.rotated_at, 'rotated_at is set');
  const grace = Date.parse(api.previous_token_expires_at) - before;
  assert.ok(grace > 86_390_000 && grace < 86_460_000, `the grace is a day: ${grace} ms`);
  await registrySignIn(world.server, 'acme', secret);
  await registrySignIn(world.server, 'acme', oldSecret);

  // The drawer: rotated, the old secret valid until tomorrow and, once usage is written, last used.
  const used = await waitFor(async () => {
    await openDetails(c);
    const text = await c.text('details.previous_last_used');
    if (text === null) await closeDetails(c);
    return text;
  }, 'the old secret\'s last use in the drawer');
  assert.match(used, /^Last used (just now|\d+ minutes? ago)$/);
  assert.match(await c.text('details.rotated'), /^(just now|\d+ minutes? ago)$/);
  assert.match(await c.text('details.previous_expires'), /^Valid until .*\(tomorrow\)$/);
  await c.shot('details');
});

consoleTest(world, 'an expired token offers no Rotate; a deactivated one does', async (c) => {
  const expires = Date.now() + 3000;
  await world.server.createToken('acme', world.bearer, { label: 'expired-rotation', expires_at: rfc3339(expires + 999) });
  const t = await world.server.createToken('acme', world.bearer, { label: 'paused-rotation' });
  const off = await world.server.request('PATCH', `/v2/orgs/acme/access-tokens/${t.id}`, {
    bearer: world.bearer, json: { is_active: false },
  });
  assert.equal(off.status, 200, String(off));
  while (Date.now() < expires + 1500) await sleep(100);

  await onlyRow(c, 'expired-rotation');
  assert.equal((await c.status())['tokens.row.0.state'], 'Expired');
  await c.click('tokens.row.0.menu');
  await c.waitForWidget('row.delete');
  assert.ok(!(await c.hasWidget('row.rotate')), 'an expired token cannot be rotated');
  await c.press('Escape');
  await openDetails(c);
  assert.ok(!(await c.hasWidget('details.rotate')));
  await closeDetails(c);

  await c.type('tokens.filter', 'paused-rotation', { replace: true });
  await c.waitForStatus((s) => s.rows === 1 && s['tokens.row.0.state'] === 'Inactive', 'the inactive row');
  await c.click('tokens.row.0.menu');
  await c.waitForWidget('row.delete');
  assert.ok(await c.hasWidget('row.rotate'), 'an inactive token can be rotated');
  await c.press('Escape');
  await openDetails(c);
  assert.ok(await c.hasWidget('details.rotate'));
});

consoleTest(world, 'the policy page: set a policy in the core\'s words; the generate dialog then no longer offers "No expiration"', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  await c.openGenerate();
  assert.ok(await c.hasWidget('generate.expiry.never'), 'without a policy, "No expiration" is offered');
  assert.ok(!(await c.hasWidget('generate.expiry.policy')), 'and no policy is said');
  await c.press('Escape');
  await c.waitForStatus((s) => !s.dialog, 'the dialog closed');

  await c.click('nav.policy');
  await c.waitForStatus((s) => s.screen === 'policy' && s.pending === 0, 'the policy page');
  await c.waitForWidget('policy.summary');
  assert.match(await c.text('policy.summary'), /^No policy/);
  assert.equal((await c.widgets())['policy.save'].disabled, true, 'nothing to save yet');

  // A lifetime out of range: the core's sentence, nothing to save.
  await c.click('policy.lifetime');
  await c.waitForWidget('policy.lifetime_days');
  await c.type('policy.lifetime_days', '400', { replace: true });
  const s = await c.waitForStatus((st) => st.errors && st.errors['policy.error.max_lifetime_days'], 'the error');
  assert.equal(s.errors['policy.error.max_lifetime_days'],
    '"max_lifetime_days" must be null or a whole number of days from 1 to 366.');
  assert.equal((await c.widgets())['policy.save'].disabled, true);
  await c.shot('invalid');

  await c.type('policy.lifetime_days', '30', { replace: true });
  await c.click('policy.idle');
  await c.type('policy.idle_days', '60', { replace: true });
  await c.waitForStatus((st) => !(st.errors && st.errors['policy.error.max_lifetime_days']), 'no error');
  const want = 'Tokens must expire within 30 days of their creation or last rotation; a token unused for ' +
    '60 days stops signing in.';
  assert.equal(await c.text('policy.preview'), `After saving: ${want}`);
  assert.equal((await c.widgets())['policy.require_expiration'].checked, true, 'implied by the lifetime');
  await c.shot('filled');
  await c.click('policy.save');
  await c.waitForStatus((st, a) => st.toast && st.policy === a, 'saved', { arg: want });
  assert.equal(await c.text('policy.summary'), want);
  const stored = (await world.server.get(POLICY, { bearer: world.bearer })).body;
  assert.deepEqual(stored, { max_lifetime_days: 30, require_expiration: false, max_idle_days: 60 });
  await c.shot('saved');

  // The generate dialog offers only what the policy allows, and says it.
  await c.click('nav.tokens');
  await c.waitIdle('tokens');
  await c.openGenerate();
  const w = await c.widgets();
  assert.ok(!w['generate.expiry.never'], '"No expiration" is not offered');
  assert.ok(!w['generate.expiry.90'], '90 days is beyond the policy');
  assert.equal(w['generate.expiry.30'].selected, true, 'the dialog starts at 30 days');
  assert.equal(await c.text('generate.expiry.policy'), `Token policy: ${want}`);
  await c.shot('generate');
  await c.press('Escape');
  await setPolicy({});
});

consoleTest(world, 'a token older than the policy allows is marked blocked, with the core\'s sentence; a rotation brings it back', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, {
    label: 'too-old', expires_at: new Date(Date.now() + 20 * 86400_000).toISOString(),
  });
  const now = Math.floor(Date.now() / 1000);
  await runSql(world.db, `UPDATE tokens SET created_at = ${now - 40 * 86400} WHERE id = '${t.id}'`);
  await setPolicy({ max_lifetime_days: 30 });
  try {
    await onlyRow(c, 'too-old');
    const s = await c.waitForStatus((st) => st['tokens.row.0.blocked'], 'the row blocked');
    assert.equal(s['tokens.row.0.blocked'],
      'This access token is older than the organization\'s token policy allows (30 days); an owner must rotate it.');
    assert.equal(s['tokens.row.0.state'], 'Active');
    assert.equal((await c.widgets())['tokens.row.0.status'].text, 'Blocked by policy');
    await c.shot('blocked');

    await rowAction(c, 'row.rotate');
    await c.waitForStatus((st) => st.dialog === 'rotate' && st['rotate.valid'] === 1, 'the rotate dialog');
    assert.match(await c.text('rotate.expiry.policy'), /^Token policy: Tokens must expire within 30 days/);
    await c.shot('rotate');
    await c.click('rotate.submit');
    await c.copySecret();
    await c.closeCreated();
    await c.waitForStatus((st) => st.rows === 1 && !st['tokens.row.0.blocked'] && st.pending === 0, 'the row unblocked');
    assert.equal((await c.widgets())['tokens.row.0.status'].text, 'Active');
  } finally {
    await setPolicy({});
  }
});

consoleTest(world, 'allowed addresses: a bad block shows the core\'s words, good ones are saved and shown in the drawer', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'fenced' });
  await onlyRow(c, 'fenced');
  await rowAction(c, 'row.edit');
  await c.waitForStatus((s) => s.dialog === 'edit' && s['generate.valid'] === 1, 'the token loaded into the form');
  await scrollDialogDown(c, 'generate.label');
  const before = await apiToken(t.id);

  await c.type('generate.addresses', '10.0.0.0/8, 192.0.2.7/24');
  const s = await c.waitForStatus((st) => st.errors && st.errors['generate.error.allowed_cidrs'], 'the error');
  assert.equal(s.errors['generate.error.allowed_cidrs'],
    '"192.0.2.7/24" has bits set beyond its prefix; did you mean "192.0.2.0/24"?');
  assert.equal(s.errors['generate.error.allowed_cidrs[1]'], s.errors['generate.error.allowed_cidrs']);
  assert.equal((await c.widgets())['edit.submit'].disabled, true, 'nothing invalid is sent');
  await c.shot('invalid');

  await c.type('generate.addresses', '192.0.2.0/24\n2001:db8::/32', { replace: true });
  await c.click('generate.self_rotation');
  await c.waitForStatus((st) => st['generate.valid'] === 1 && !(st.errors && st.errors['generate.error.allowed_cidrs']),
    'a valid edit');
  assert.equal((await c.widgets())['generate.self_rotation'].checked, true);
  assert.deepEqual(await apiToken(t.id), before, 'nothing was sent while the form was invalid');
  await c.shot('valid');
  await c.click('edit.submit');
  await c.waitForStatus((st) => !st.dialog && st.pending === 0 && st.loading === 0, 'the dialog closed');

  const api = await apiToken(t.id);
  assert.deepEqual(api.allowed_cidrs, ['192.0.2.0/24', '2001:db8::/32']);
  assert.equal(api.allow_self_rotation, true);
  await openDetails(c);
  assert.equal(await c.text('details.allowed_cidrs'), '192.0.2.0/24\n2001:db8::/32');
  assert.equal(await c.text('details.self_rotation'), 'Allowed');
  await c.shot('details');
});
