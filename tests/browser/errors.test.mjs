// What the console shows while a request is on its way, and where it shows the server's
// refusals: things the core cannot know beforehand because someone else changed the
// organization meanwhile.
import assert from 'node:assert/strict';
import { consoleTest, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url);

/** The console of ORG (signed in as owner), the table loaded. */
async function openOrg(c, org) {
  await c.signIn('owner', { org: 'acme' });
  if (org !== 'acme') await c.selectOrg(org);
  return c.waitIdle('tokens');
}

consoleTest(world, 'a request on its way shows as pending; Generate cannot be pressed twice', async (c) => {
  await openOrg(c, 'bizco');
  const before = (await world.server.tokens('bizco', world.bearer)).length;
  await c.openGenerate();
  await c.type('generate.label', 'slow network');
  await c.click('generate.public');
  await c.waitForStatus((s) => s['generate.valid'] === 1, 'a valid draft');
  // Every answer now takes 3 s more (DevTools network emulation).
  const cdp = await c.context.newCDPSession(c.page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 3000, downloadThroughput: -1, uploadThroughput: -1,
  });
  const submit = await c.center('generate.submit');
  await c.click('generate.submit');
  const s = await c.waitForStatus((st) => st['generate.pending'] === 1, 'the request pending', { timeout: 2500 });
  // A second press while it is on its way: nothing more is sent.
  await c.page.mouse.click(submit.x, submit.y);
  await c.waitFrames(2);
  assert.ok(s.pending >= 1, 'the request counts as pending');
  const w = await c.widgets();
  assert.ok(w['generate.pending'], 'the dialog shows that it is working');
  assert.equal(w['generate.submit'].disabled, true, 'Generate is disabled meanwhile');
  await c.shot('pending');
  await c.waitForStatus((st) => st.dialog === 'created', 'the token shown once', { timeout: 20_000 });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  assert.equal((await world.server.tokens('bizco', world.bearer)).length, before + 1, 'one token, not two');
});

consoleTest(world, 'a token deleted elsewhere: deactivating it shows the server\'s words, and the row goes', async (c) => {
  const t = await world.server.createToken('bizco', world.bearer, { label: 'gone-elsewhere' });
  await openOrg(c, 'bizco');
  await c.type('tokens.filter', 'gone-elsewhere');
  assert.equal((await c.status())['tokens.row.0.label'], 'gone-elsewhere');
  const del = await world.server.request('DELETE', `/v2/orgs/bizco/access-tokens/${t.id}`, { bearer: world.bearer });
  assert.equal(del.status, 204);
  const refused = await world.server.request('PATCH', `/v2/orgs/bizco/access-tokens/${t.id}`, {
    bearer: world.bearer, json: { is_active: false },
  });
  assert.equal(refused.status, 404, String(refused));

  await c.click('tokens.row.0.menu');
  await c.click('row.deactivate');
  const s = await c.waitForStatus((st) => typeof st['tokens.action.error'] === 'string', 'the refusal');
  assert.ok(s['tokens.action.error'].includes(refused.body.detail),
    `"${s['tokens.action.error']}" carries the server's "${refused.body.detail}"`);
  await c.waitForWidget('tokens.action.error');
  // And the list is reloaded: the row of the token that is gone goes too; the words stay.
  const after = await c.waitForStatus((st) => st.rows === 0 && st.pending === 0 && st.loading === 0, 'the row gone');
  assert.equal(after['tokens.action.error'], s['tokens.action.error']);
  await c.shot('refused');
});

consoleTest(world, 'the quota reached elsewhere while the dialog is open: the refusal shows in the dialog', async (c) => {
  for (let i = 0; i < 9; ++i) await world.server.createToken('acme', world.bearer, { label: `nine-${i}` });
  await openOrg(c, 'acme');
  assert.equal((await c.status())['generate.enabled'], 1, '9 of 10: Generate is enabled');
  await c.openGenerate();
  await c.type('generate.label', 'the eleventh');
  await c.click('generate.public');
  await c.waitForStatus((s) => s['generate.valid'] === 1, 'a valid draft');
  // Someone else takes the tenth place meanwhile.
  await world.server.createToken('acme', world.bearer, { label: 'the tenth' });
  const refused = await world.server.request('POST', '/v2/orgs/acme/access-tokens', {
    bearer: world.bearer,
    json: { label: 'probe', resources: [{ type: 'TYPE_REPO', path: '*/*/public', scopes: ['scope-image-pull'] }] },
  });
  assert.ok(refused.status >= 400 && refused.status < 500, String(refused));

  await c.click('generate.submit');
  const s = await c.waitForStatus((st) => typeof st['generate.error.server'] === 'string' && st.pending === 0,
    'the refusal in the dialog');
  assert.equal(s.dialog, 'generate', 'the dialog stays open, the draft kept');
  const words = refused.body.text ?? refused.body.detail ?? refused.body.message;
  assert.equal(s['generate.error.server'], words, `the server's words (${refused.text})`);
  await c.shot('quota-refused');
  assert.equal((await world.server.tokens('acme', world.bearer)).length, 10);
});
