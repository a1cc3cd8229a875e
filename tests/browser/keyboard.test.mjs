// The keyboard: Tab and Shift+Tab through every control (not only the text fields), Space and
// Enter on the control with the focus ring, Enter submits, Escape closes.
import assert from 'node:assert/strict';
import { consoleTest, password, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url);

/** Presses KEY (Tab or Shift+Tab) until NAME has the keyboard; the names met on the way. */
async function tabTo(c, name, key = 'Tab', most = 30) {
  const met = [];
  for (let i = 0; i < most; ++i) {
    await c.press(key);
    const focus = (await c.status()).focus;
    met.push(focus);
    if (focus === name) return met;
  }
  throw new Error(`${key} never reached ${name}; met: ${met.join(' > ')}`);
}

consoleTest(world, 'sign in with the keyboard only: Tab to the button, Enter', async (c) => {
  await c.waitForWidget('signin.username');
  await c.type('signin.username', 'owner');
  await c.press('Tab');
  assert.equal((await c.status()).focus, 'signin.password', 'Tab goes from the username to the password');
  await c.page.keyboard.type(password('owner'));
  await c.waitFrames(2 * password('owner').length + 4);
  await c.press('Tab');
  assert.equal((await c.status()).focus, 'signin.submit', 'Tab reaches the Sign in button');
  await c.shot('submit-focused');
  await c.press('Enter');
  await c.waitForStatus((s) => s.screen === 'tokens' && s.pending === 0 && s.loading === 0, 'the tokens table');
});

consoleTest(world, 'generate with the keyboard: Tab reaches segments, checkboxes and buttons', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const before = (await world.server.tokens('acme', world.bearer)).length;
  await c.openGenerate();
  await c.type('generate.label', 'keyboard made');

  // In drawing order, wrapping around: the fields, then the expiry segments, the checkboxes...
  const met = await tabTo(c, 'generate.public');
  assert.deepEqual(met.slice(0, 3), ['generate.description', 'generate.expiry.30', 'generate.expiry.90']);
  await c.press('Space');
  let w = await c.widgets();
  assert.equal(w['generate.public'].checked, true, 'Space ticks the checkbox with the ring');
  // ... and back: Shift+Tab to the 30-day segment, Space picks it.
  await tabTo(c, 'generate.expiry.30', 'Shift+Tab');
  await c.press('Space');
  w = await c.widgets();
  assert.equal(w['generate.expiry.30'].selected, true, 'Space picks the segment');
  await c.waitForStatus((s) => s['generate.valid'] === 1, 'a valid draft');
  await c.shot('segment-focused');

  // Tab on to the (now enabled) Generate button; Enter presses it.
  await tabTo(c, 'generate.submit');
  await c.shot('submit-focused');
  await c.press('Enter');
  await c.waitForStatus((s) => s.dialog === 'created', 'the token shown once');

  const after = await world.server.tokens('acme', world.bearer);
  assert.equal(after.length, before + 1);
  const made = after.find((t) => t.label === 'keyboard made');
  assert.ok(made, 'the API lists the new token');
  const one = (await world.server.token('acme', made.id, world.bearer)).body;
  assert.deepEqual(one.resources.map((r) => r.path), ['*/*/public']);
  const days = (Date.parse(one.expires_at) - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30.01, `expires in ${days} days`);
});

consoleTest(world, 'Enter on a focused Cancel cancels; Escape closes; nothing is sent', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const before = (await world.server.tokens('acme', world.bearer)).length;
  await c.openGenerate();
  await c.type('generate.label', 'never sent');
  await tabTo(c, 'generate.public');
  await c.press('Space');
  await c.waitForStatus((s) => s['generate.valid'] === 1, 'a valid draft');
  // The draft is valid, so Enter in the dialog would generate: on Cancel it must cancel.
  await tabTo(c, 'generate.cancel');
  await c.press('Enter');
  await c.waitForStatus((s) => !s.dialog, 'the dialog closed');

  await c.openGenerate();
  await c.type('generate.label', 'never sent either');
  // Shift+Tab from the first field wraps to the last control drawn before it: the close button.
  await c.press('Shift+Tab');
  assert.equal((await c.status()).focus, 'generate.close');
  await c.press('Escape');
  await c.waitForStatus((s) => !s.dialog, 'Escape closed the dialog');
  assert.equal((await world.server.tokens('acme', world.bearer)).length, before, 'no token was made');
});
