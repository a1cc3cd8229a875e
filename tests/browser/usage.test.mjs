// "Last used": a token that signs in at the registry token service (GET /token) shows as used.
import assert from 'node:assert/strict';
import { consoleTest, registrySignIn, useConsole, waitFor } from './harness.mjs';

const world = useConsole(import.meta.url);

/** A picture of the Last used cell of row I (the header's column, the row's band). */
async function lastUsedCell(c, i) {
  const column = await c.waitForWidget('tokens.header.last_used');
  const row = await c.waitForWidget(`tokens.row.${i}`);
  return c.page.screenshot({ clip: { x: column.x, y: row.y + 1, width: column.w, height: row.h - 2 } });
}

/**
 * Creates LABEL via the API, shows it alone in the table, signs in with it at GET /token, waits
 * for the API to report the use, refreshes: the Last used cell before and after, as pictures.
 */
async function useAndRefresh(c, label) {
  const used = await world.server.createToken('acme', world.bearer, { label });
  await world.server.createToken('acme', world.bearer, { label: `${label}-idle` });
  await c.signIn('owner', { org: 'acme' });
  await c.type('tokens.filter', `${label}`);
  assert.equal((await c.status()).rows, 2);
  await c.click('tokens.header.last_used');  // most recently used first (then never used)
  await c.page.mouse.move(5, 890);  // away from the rows (no hover highlight)
  await c.waitFrames(2);
  const before = await lastUsedCell(c, 0);
  await c.shot('before');

  await registrySignIn(world.server, 'acme', used.token);
  // Usage is written in batches (every second): wait until the API has it.
  const api = await waitFor(async () => {
    const r = await world.server.token('acme', used.id, world.bearer);
    return r.body.last_used_at ? r.body : null;
  }, 'last_used_at in the API');
  assert.ok(Date.now() - Date.parse(api.last_used_at) < 60_000, api.last_used_at);

  await c.refresh();
  await c.page.mouse.move(5, 890);
  await c.waitFrames(2);
  assert.equal((await c.status()).rows, 2);
  const after = await lastUsedCell(c, 0);
  await c.shot('after');
  return { before, after };
}

consoleTest(world, 'a token used at GET /token shows as used after a refresh', async (c) => {
  const { before, after } = await useAndRefresh(c, 'registry-bot');
  // "Never" became a relative time ("just now"): the cell is drawn differently.
  assert.notDeepEqual(after, before, 'the Last used cell changed after the refresh');
});

consoleTest(world, 'the Last used cell says "just now" after a use', async (c) => {
  await useAndRefresh(c, 'pull-bot');
  const s = await c.status();
  assert.equal(s['tokens.row.0.label'], 'pull-bot');
  assert.match(s['tokens.row.0.last_used'], /^(just now|\d+ seconds? ago)$/);
  assert.equal(s['tokens.row.1.label'], 'pull-bot-idle');
  assert.equal(s['tokens.row.1.last_used'], 'Never');
});

consoleTest(world, 'the details drawer shows the use: when, from where, and the resources', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, {
    label: 'detailed-bot',
    resources: [{ type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-pull'] },
      { type: 'TYPE_REPO', path: 'acme/web', scopes: ['scope-image-push'] }],
  });
  await registrySignIn(world.server, 'acme', t.token);
  await waitFor(async () => (await world.server.token('acme', t.id, world.bearer)).body.last_used_at,
    'last_used_at in the API');
  await c.signIn('owner', { org: 'acme' });
  await c.type('tokens.filter', 'detailed-bot');
  await c.click('tokens.row.0');
  await c.waitForStatus((s) => s.dialog === 'details' && s['details.loading'] === 0 && s['details.resources'] === 2,
    'the details, loaded');
  const w = await c.widgets();
  assert.equal(w['details.status'].text, 'Active');
  assert.equal(w['details.id'].text, t.id);
  assert.match(w['details.last_used'].text, /^(just now|\d+ seconds? ago)$/);
  assert.ok(w['details.last_used_exact'].text.length > 0);
  assert.equal(w['details.addresses'].text, '127.0.0.1');
  assert.equal(w['details.expires'].text, 'Never');
  await c.shot('details');
  await c.click('details.close');
  await c.waitForStatus((s) => !s.dialog, 'the drawer closed');
});
