// A token's row actions: deactivate, activate, edit, delete; an expired token offers only Delete.
import assert from 'node:assert/strict';
import { consoleTest, onlyRow, rfc3339, sleep, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url);


/** Opens row I's menu; the names of the items it offers. */
async function openMenu(c, i) {
  await c.click(`tokens.row.${i}.menu`);
  await c.waitForStatus((s) => Boolean(s.menu), 'the row menu');
  // The menu is open from its first frame, its items published from the next: Delete is in
  // every row's menu, so once it is there the others are too.
  await c.waitForWidget('row.delete');
  const w = await c.widgets();
  return ['row.edit', 'row.deactivate', 'row.activate', 'row.delete'].filter((n) => w[n]);
}

/** Waits for the reloaded list after an action, with nothing in flight. */
async function settled(c, what) {
  return c.waitForStatus((s) => s.pending === 0 && s.loading === 0 && !s.dialog && !s.menu, what);
}

async function apiToken(id) {
  return (await world.server.token('acme', id, world.bearer)).body;
}

consoleTest(world, 'deactivate, then activate a token from its row', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'toggle-me' });
  const i = await onlyRow(c, 'toggle-me');
  assert.deepEqual(await openMenu(c, i), ['row.edit', 'row.deactivate', 'row.delete']);
  await c.shot('menu');
  await c.click('row.deactivate');
  let s = await c.waitForStatus((st) => st['tokens.row.0.state'] === 'Inactive' && st.pending === 0,
    'the row Inactive');
  assert.equal(s['tokens.row.0.label'], 'toggle-me');
  assert.equal((await apiToken(t.id)).is_active, false, 'inactive in the API');

  assert.deepEqual(await openMenu(c, i), ['row.edit', 'row.activate', 'row.delete']);
  await c.click('row.activate');
  s = await c.waitForStatus((st) => st['tokens.row.0.state'] === 'Active' && st.pending === 0, 'the row Active');
  assert.equal((await apiToken(t.id)).is_active, true, 'active in the API');
  await settled(c, 'settled');
});

consoleTest(world, 'edit a token\'s label: the table and the API have the new one', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, {
    label: 'old-label', description: 'kept as it was',
    resources: [{ type: 'TYPE_REPO', path: 'acme/web', scopes: ['scope-image-push'] }],
  });
  const i = await onlyRow(c, 'old-label');
  await openMenu(c, i);
  await c.click('row.edit');
  await c.waitForStatus((s) => s.dialog === 'edit', 'the edit dialog');
  // The form is filled from the token (GET) before it can be changed.
  await c.waitForWidget('generate.label');
  await c.waitForStatus((s) => s['generate.valid'] === 1, 'the token loaded into the form');
  await c.type('generate.label', 'new-label', { replace: true });
  await c.waitForStatus((s) => s['generate.valid'] === 1, 'a valid edit');
  await c.shot('edit');
  await c.click('edit.submit');
  await c.waitForStatus((s) => !s.dialog && s.pending === 0 && s.loading === 0, 'the dialog closed');

  const api = await apiToken(t.id);
  assert.equal(api.label, 'new-label');
  assert.equal(api.description, 'kept as it was');
  assert.deepEqual(api.resources, [{ type: 'TYPE_REPO', path: 'acme/web', scopes: ['scope-image-push'] }]);
  // The filter still says old-label: clear it and find the row by its new label.
  await c.type('tokens.filter', '', { replace: true });
  const s = await c.waitForStatus((st) => st.rows >= 1, 'rows');
  const labels = Array.from({ length: s.rows }, (_, k) => s[`tokens.row.${k}.label`]);
  assert.ok(labels.includes('new-label'), `rows: ${labels}`);
  assert.ok(!labels.includes('old-label'), `rows: ${labels}`);
});

consoleTest(world, 'delete asks first; Cancel keeps the token, Delete removes it', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'delete-me' });
  const i = await onlyRow(c, 'delete-me');
  await openMenu(c, i);
  await c.click('row.delete');
  await c.waitForStatus((s) => s.dialog === 'confirm-delete', 'the confirmation');
  await c.shot('confirm');
  await c.click('confirm.cancel');
  await settled(c, 'the confirmation closed');
  assert.equal((await world.server.token('acme', t.id, world.bearer)).status, 200, 'still there');
  assert.equal((await c.status())['tokens.row.0.label'], 'delete-me');

  await openMenu(c, i);
  await c.click('row.delete');
  await c.waitForStatus((s) => s.dialog === 'confirm-delete', 'the confirmation');
  await c.click('confirm.delete');
  const s = await settled(c, 'the token deleted');
  assert.equal(s.rows, 0, 'no row left for delete-me');
  assert.equal((await world.server.token('acme', t.id, world.bearer)).status, 404, 'gone from the API');
  const all = await world.server.tokens('acme', world.bearer);
  assert.ok(!all.some((x) => x.label === 'delete-me'));
});

consoleTest(world, 'an expired token offers only Delete', async (c) => {
  const expires = Date.now() + 3000;
  const t = await world.server.createToken('acme', world.bearer, {
    label: 'soon-expired', expires_at: rfc3339(expires + 999),
  });
  while (Date.now() < expires + 1500) await sleep(100);
  const i = await onlyRow(c, 'soon-expired');
  assert.equal((await c.status())['tokens.row.0.state'], 'Expired');
  assert.deepEqual(await openMenu(c, i), ['row.delete']);
  assert.equal((await c.status()).menu, 'Expired');
  assert.equal((await c.widgets())['tokens.row.0.status'].text, 'Expired');
  await c.shot('menu');
  // The API agrees: an expired token cannot be edited or activated (409), only deleted.
  const patch = await world.server.request('PATCH', `/v2/orgs/acme/access-tokens/${t.id}`, {
    bearer: world.bearer, json: { label: 'x' },
  });
  assert.equal(patch.status, 409, String(patch));
  await c.click('row.delete');
  await c.waitForStatus((s) => s.dialog === 'confirm-delete', 'the confirmation');
  await c.click('confirm.delete');
  await settled(c, 'deleted');
  assert.equal((await world.server.token('acme', t.id, world.bearer)).status, 404);
});
