// Every flow of the console driven only by role and name (getByRole, getByLabel), as a screen
// reader's user reaches it through the page's elements (web/src/semantics.h): generate, edit,
// rotate, delete, sort by a column with the keyboard, filter the activity, the token policy and a
// CI sign-in connection. Each ends in what the API then says.
import assert from 'node:assert/strict';
import { consoleTest, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url);

/** acme's token labelled LABEL, as the API has it (whole), or undefined. */
async function apiToken(label) {
  const item = (await world.server.tokens('acme', world.bearer)).find((t) => t.label === label);
  return item && (await world.server.token('acme', item.id, world.bearer)).body;
}

/** Waits, a frame at a time, until FN is true of the page's elements (they follow the next frames). */
async function until(c, fn, what) {
  for (let frame = 0; frame < 120; ++frame) {
    if (await fn()) return;
    await c.waitFrames(1);
  }
  assert.fail(what);
}

/** Opens the "..." menu of the token row LABEL and chooses ITEM. */
async function rowAction(page, label, item) {
  await page.getByRole('button', { name: `Actions for ${label}` }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

/** The dialog the console shows once a token's secret is made: closed once "copied". */
async function closeSecret(c) {
  const dialog = c.page.getByRole('dialog', { name: /secret|token/ });
  await dialog.getByRole('button', { name: 'I have copied it' }).click();
  await c.waitForStatus((s) => !s.dialog, 'the dialog closed');
}

consoleTest(world, 'generate a token by role and name', async (c) => {
  await c.signInByRole();
  const { page } = c;
  await page.getByRole('button', { name: 'Generate token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate an access token' });
  await dialog.getByRole('textbox', { name: 'Label' }).fill('by-role');
  await dialog.getByRole('textbox', { name: 'Description' }).fill('made without coordinates');
  await dialog.getByRole('tab', { name: '30 days' }).click();
  const publicRepos = dialog.getByRole('checkbox', { name: 'Read public repositories' });
  await publicRepos.click();
  await until(c, () => publicRepos.isChecked(), 'the box checked');
  await dialog.getByRole('button', { name: 'Generate token' }).click();
  await closeSecret(c);
  const made = await apiToken('by-role');
  assert.ok(made, 'the API has the token');
  assert.equal(made.description, 'made without coordinates');
  assert.ok(made.expires_at, 'it expires');
  assert.deepEqual(made.resources.map((r) => r.path), ['*/*/public']);
});

consoleTest(world, 'edit, rotate and delete a token by role and name', async (c) => {
  await world.server.createToken('acme', world.bearer, { label: 'role-edit' });
  await c.signInByRole();
  const { page } = c;

  await rowAction(page, 'role-edit', 'Edit…');
  const edit = page.getByRole('dialog', { name: 'Edit access token' });
  await edit.getByRole('textbox', { name: 'Label' }).fill('role-edited');
  // The scopes are told apart by their group: "Images: Push", not one of several "Push".
  await edit.getByRole('checkbox', { name: 'Images: Push' }).click();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await c.waitForStatus((s) => !s.dialog && s.pending === 0, 'saved');
  const edited = await apiToken('role-edited');
  assert.ok(edited, 'the API has the new label');
  assert.deepEqual(edited.resources[0].scopes, ['scope-image-push'], 'push, which includes pull');

  await rowAction(page, 'role-edited', 'Rotate…');
  const rotate = page.getByRole('dialog', { name: 'Rotate access token' });
  const hour = rotate.getByRole('tab', { name: '1 hour' });
  await hour.click();
  await until(c, async () => (await hour.getAttribute('aria-selected')) === 'true', '"1 hour" selected');
  await rotate.getByRole('button', { name: 'Rotate token' }).click();
  await closeSecret(c);
  const rotated = await apiToken('role-edited');
  assert.ok(rotated.previous_token_expires_at, `the old secret works an hour more: ${JSON.stringify(rotated)}`);

  await rowAction(page, 'role-edited', 'Delete…');
  await page.getByRole('dialog', { name: 'Delete access token' }).getByRole('button', { name: 'Delete token' }).click();
  await c.waitForStatus((s) => !s.dialog && s.pending === 0, 'deleted');
  assert.equal((await world.server.token('acme', edited.id, world.bearer)).status, 404, 'gone from the API');
  await page.getByRole('link', { name: 'role-edited' }).waitFor({ state: 'detached' });
});

consoleTest(world, 'a column sorts from the keyboard, and says how it sorts', async (c) => {
  for (const label of ['sort-b', 'sort-c', 'sort-a']) await world.server.createToken('acme', world.bearer, { label });
  await c.signInByRole();
  const { page } = c;
  await page.getByRole('textbox', { name: /Filter/ }).fill('sort-');
  await c.waitForStatus((s) => s.rows === 3, 'three rows');
  const header = page.getByRole('columnheader', { name: 'Label' });
  assert.equal(await header.getAttribute('aria-sort'), null, 'not sorted by label yet');
  assert.equal(await page.getByRole('columnheader', { name: 'Created', exact: true }).getAttribute('aria-sort'), 'descending');
  const labels = async () => page.getByRole('table').getByRole('link').allTextContents();
  await header.focus();
  await page.keyboard.press('Enter');
  const inOrder = async (order, want) => (await header.getAttribute('aria-sort')) === order &&
    JSON.stringify(await labels()) === JSON.stringify(want);
  await until(c, () => inOrder('ascending', ['sort-a', 'sort-b', 'sort-c']),
    'sorted by label, a to c');
  await page.keyboard.press('Enter');
  await until(c, () => inOrder('descending', ['sort-c', 'sort-b', 'sort-a']), 'the other way');
});

consoleTest(world, 'the activity filtered by action by role and name', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'role-audit' });
  await world.server.patch(`/v2/orgs/acme/access-tokens/${t.id}`, { is_active: false }, { bearer: world.bearer });
  await c.signInByRole();
  const { page } = c;
  await page.getByRole('link', { name: 'Activity' }).click();
  await c.waitIdle('activity');
  await page.getByRole('button', { name: 'Action: All actions' }).click();
  await page.getByRole('menu', { name: 'Action' }).getByRole('menuitem', { name: 'Access token deactivated' }).click();
  await page.getByRole('button', { name: 'Action: Access token deactivated' }).waitFor();
  await c.waitIdle('activity');
  const rows = await page.getByRole('table', { name: 'Activity' }).getByRole('row').allTextContents();
  assert.ok(rows.length >= 2, `a header and events: ${rows}`);
  for (const row of rows.slice(1)) assert.match(row, /deactivated/, 'only deactivations');
});

consoleTest(world, 'a CI sign-in connection made by role and name', async (c) => {
  await c.signInByRole();
  const { page } = c;
  await page.getByRole('link', { name: 'CI sign-in' }).click();
  await page.getByRole('button', { name: 'New connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'New connection' });
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('release by role');
  assert.equal(await dialog.getByRole('textbox', { name: 'Issuer URL' }).inputValue(),
    'https://token.actions.githubusercontent.com');
  await dialog.getByRole('textbox', { name: 'Ruleset 1 name' }).fill('main');
  await dialog.getByRole('textbox', { name: 'Condition 1 value' }).fill('1234567');
  await dialog.getByRole('textbox', { name: 'Condition 2 value' }).fill('acme/app');
  // Below the dialog's fold: on the page all the same; the focus brings it into view, Space checks it.
  const all = dialog.getByRole('checkbox', { name: 'All acme repositories' });
  await all.focus();
  await c.waitFrames(3);
  await page.keyboard.press('Space');
  await until(c, () => all.isChecked(), 'checked from the keyboard');
  await dialog.getByRole('button', { name: 'Create connection' }).click();
  await c.waitForStatus((s) => !s.dialog && s.pending === 0, 'created');
  const list = (await world.server.get('/v2/orgs/acme/oidc-connections', { bearer: world.bearer })).body.results;
  const made = list.find((x) => x.name === 'release by role');
  assert.ok(made, `the API has it: ${JSON.stringify(list)}`);
  const full = (await world.server.get(`/v2/orgs/acme/oidc-connections/${made.id}`, { bearer: world.bearer })).body;
  assert.deepEqual(full.rulesets[0].conditions, { repository_owner_id: '1234567', repository: 'acme/app' });
});

// Last: the policy it saves applies to the file's other tests' tokens.
consoleTest(world, 'the token policy saved by role and name', async (c) => {
  await c.signInByRole();
  const { page } = c;
  await page.getByRole('link', { name: 'Token policy' }).click();
  await c.waitForStatus((s) => s.screen === 'policy' && s.pending === 0, 'the policy page');
  await page.getByRole('checkbox', { name: 'Require an expiration date' }).click();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await c.waitForStatus((s) => s.pending === 0 && s.toast, 'saved');
  const stored = (await world.server.get('/v2/orgs/acme/access-token-policy', { bearer: world.bearer })).body;
  assert.equal(stored.require_expiration, true, JSON.stringify(stored));
});
