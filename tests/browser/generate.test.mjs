// Generating a token: the dialog, the token shown once, Copy, and the token at work.
import assert from 'node:assert/strict';
import { addedToken, consoleTest, registrySignIn, useConsole, waitFor } from './harness.mjs';

const world = useConsole(import.meta.url);

consoleTest(world, 'generate a token with two repositories, copy it once, use it', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const before = await world.server.tokens('acme', world.bearer);
  await c.openGenerate();
  await c.shot('dialog-empty');
  await c.type('generate.label', 'ci two repos');
  await c.type('generate.description', 'pulls app, pushes web');
  await c.addRepository('app');
  await c.addRepository('web');
  await c.waitForWidget('generate.repo.1');
  await c.click('generate.repo.1.scope.scope-image-push');
  let s = await c.waitForStatus((st) => st['generate.valid'] === 1, 'a valid draft');
  assert.equal(s.dialog, 'generate');
  await c.shot('dialog-filled');
  await c.click('generate.submit');

  // Shown once, with Copy.
  const secret = await c.copySecret();
  await c.shot('created');
  // This oatd has no --registry-host: no login line (it would go to Docker Hub), but what sets it.
  assert.match(await c.text('created.login'), /start oatd with --registry-host HOST\[:PORT\]/);

  // The server has it, with the two repositories and their scopes.
  const one = await addedToken(world, 'acme', before, 'ci two repos');
  assert.equal(one.description, 'pulls app, pushes web');
  assert.equal(one.expires_at, null);
  assert.deepEqual(one.resources.map((r) => r.path).sort(), ['acme/app', 'acme/web']);
  const scopes = Object.fromEntries(one.resources.map((r) => [r.path, r.scopes]));
  assert.deepEqual(scopes['acme/app'], ['scope-image-pull']);
  assert.ok(scopes['acme/web'].includes('scope-image-push'), JSON.stringify(scopes));

  // Closed, the secret is gone from the page and the table has the token.
  await c.closeCreated();
  await c.waitForNoWidget('created.token');
  const row = await c.waitForRow('ci two repos');
  s = await c.status();
  assert.equal(s[`tokens.row.${row}.state`], 'Active');
  assert.equal(s[`tokens.row.${row}.last_used`], 'Never');

  // The copied secret is the token: the registry's token service takes it for acme/app...
  const r = await registrySignIn(world.server, 'acme', secret);
  assert.ok(r.body.token.split('.').length === 3, 'a JWT');
  // ... and the console shows it used (usage is written every second: refresh until it shows).
  const used = await waitFor(async () => {
    const st = await c.refresh();
    const i = await c.rowOf('ci two repos');
    return st[`tokens.row.${i}.last_used`] !== 'Never' ? st[`tokens.row.${i}.last_used`] : null;
  }, '"last used" in the table');
  assert.match(used, /^(just now|\d+ seconds? ago)$/);
  const api = (await world.server.token('acme', one.id, world.bearer)).body;
  assert.ok(api.last_used_at, 'the API has last_used_at');
});

consoleTest(world, 'the token dialog closes on Escape and nothing is created', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const before = await world.server.tokens('acme', world.bearer);
  await c.openGenerate();
  await c.type('generate.label', 'never sent');
  await c.press('Escape');
  await c.waitForStatus((s) => !s.dialog, 'no dialog');
  assert.deepEqual(await world.server.tokens('acme', world.bearer), before);
});
