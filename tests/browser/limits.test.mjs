// What the console refuses before sending, in the core's words (the same the server would
// answer), and the plan's quota.
import assert from 'node:assert/strict';
import { admin, consoleTest, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url, {
  async setup(w) {
    // A second Team organization for the quota, so the other tests keep room in acme.
    await admin(w.db, ['org', 'add', 'fullco', '--plan', 'team']);
    await admin(w.db, ['member', 'add', 'fullco', 'owner', '--role', 'owner']);
    await admin(w.db, ['repo', 'add', 'fullco/app']);
  },
});

/** The server's words for a create body with FIELDS (it must refuse it: 400). */
async function serverRefusal(org, fields) {
  const body = {
    label: 'ok', description: '', expires_at: null,
    resources: [{ type: 'TYPE_REPO', path: `${org}/app`, scopes: ['scope-image-pull'] }], ...fields,
  };
  const r = await world.server.request('POST', `/v2/orgs/${org}/access-tokens`, { bearer: world.bearer, json: body });
  assert.equal(r.status, 400, String(r));
  return r.body;
}

/** Nothing was sent: the same tokens and the same audit log as BEFORE. */
async function assertNothingSent(c, before) {
  const s = await c.status();
  assert.equal(s.pending, 0, 'no request in flight');
  assert.deepEqual(await world.server.tokens('acme', world.bearer), before.tokens, 'the token list is unchanged');
  assert.equal(await world.server.auditTotal('acme', world.bearer), before.audit, 'no audit event');
}

async function snapshot() {
  return { tokens: await world.server.tokens('acme', world.bearer), audit: await world.server.auditTotal('acme', world.bearer) };
}

consoleTest(world, 'a 101-character label shows the core\'s message and nothing is sent', async (c) => {
  const label = 'L'.repeat(101);
  const server = await serverRefusal('acme', { label });
  await c.signIn('owner', { org: 'acme' });
  const before = await snapshot();
  await c.openGenerate();
  await c.addRepository('app');
  await c.type('generate.label', label);
  const s = await c.waitForStatus((st) => typeof st['generate.error.label'] === 'string', 'the label error');
  await c.waitForWidget('generate.error.label');
  assert.equal(s['generate.error.label'], server.fields.label[0], 'the server\'s words, shown before sending');
  assert.equal(s['generate.valid'], 0);
  await c.shot('label-error');
  // Neither Enter in the field nor the (disabled) button sends anything.
  await c.press('Enter');
  await c.click('generate.submit');
  await c.waitFrames(5);
  assert.equal((await c.status()).dialog, 'generate', 'the dialog stays open');
  await assertNothingSent(c, before);
  // One character less and it is valid.
  await c.click('generate.label');
  await c.press('End');
  await c.press('Backspace');
  const ok = await c.waitForStatus((st) => st['generate.valid'] === 1, 'a valid draft');
  assert.equal(ok['generate.error.label'], undefined);
});

consoleTest(world, 'a 201-character description shows the core\'s message and nothing is sent', async (c) => {
  const description = 'd'.repeat(201);
  const server = await serverRefusal('acme', { description });
  await c.signIn('owner', { org: 'acme' });
  const before = await snapshot();
  await c.openGenerate();
  await c.type('generate.label', 'long description');
  await c.addRepository('app');
  await c.paste('generate.description', description);
  const s = await c.waitForStatus((st) => typeof st['generate.error.description'] === 'string', 'the description error');
  assert.equal(s['generate.error.description'], server.fields.description[0]);
  assert.equal(s['generate.description.counter'], '201/200');
  assert.equal(s['generate.valid'], 0);
  await c.shot('description-error');
  await c.click('generate.submit');
  await c.waitFrames(5);
  await assertNothingSent(c, before);
});

consoleTest(world, 'an expiration more than a year ahead shows the core\'s message', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const before = await snapshot();
  await c.openGenerate();
  await c.type('generate.label', 'far future');
  await c.addRepository('app');
  await c.click('generate.expiry.custom');
  // The custom date starts a month ahead; two years later than that is too far.
  const year = await c.waitForWidget('generate.expiry.year');
  const month = (await c.widgets())['generate.expiry.month'];
  const day = (await c.widgets())['generate.expiry.day'];
  const farYear = Number(year.text) + 2;
  await c.type('generate.expiry.year', String(farYear), { replace: true });
  const s = await c.waitForStatus((st) => typeof st['generate.error.expires_at'] === 'string', 'the expiry error');
  // The server's words for the same date (at noon UTC: the day is what matters).
  const server = await serverRefusal('acme', {
    expires_at: `${farYear}-${month.text.padStart(2, '0')}-${String(Math.min(Number(day.text), 28)).padStart(2, '0')}T12:00:00Z`,
  });
  assert.equal(s['generate.error.expires_at'], server.fields.expires_at[0]);
  assert.equal(s['generate.valid'], 0);
  await c.shot('expiry-error');
  await c.click('generate.submit');
  await c.waitFrames(5);
  await assertNothingSent(c, before);
});

consoleTest(world, 'a token without any repository or scope is refused before sending', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const before = await snapshot();
  await c.openGenerate();
  await c.type('generate.label', 'reaches nothing');
  // Before an attempt it is a hint; Enter (an attempt to generate) makes it the error.
  await c.press('Enter');
  const s = await c.waitForStatus((st) => st['generate.valid'] === 0 && typeof st['generate.error.resources'] === 'string',
    'the resources error');
  const server = await serverRefusal('acme', { resources: [] });
  assert.equal(s['generate.error.resources'], server.fields.resources[0]);
  await c.click('generate.submit');
  await c.waitFrames(5);
  await assertNothingSent(c, before);
});

consoleTest(world, 'at the Team quota (10 tokens) Generate is disabled, and says why', async (c) => {
  const ids = [];
  for (let i = 0; i < 10; ++i) ids.push((await world.server.createToken('fullco', world.bearer, { label: `t${i}` })).id);
  const refused = await serverRefusal('fullco', { label: 'eleventh' });
  await c.signIn('owner', { org: 'acme' });
  await c.selectOrg('fullco');
  let s = await c.waitForStatus((st) => st.tokens === 10, 'ten tokens');
  assert.equal(s['generate.enabled'], 0);
  // The core's words, the very ones the server answers an eleventh create with.
  assert.equal(s['generate.refusal'], refused.text);
  await c.waitForWidget('tokens.generate.reason');
  await c.hover('tokens.generate');
  await c.shot('quota');
  await c.click('tokens.generate');
  await c.waitFrames(5);
  assert.ok(!(await c.status()).dialog, 'no dialog opens');
  assert.equal((await c.widgets())['tokens.generate'].disabled, true, 'the button is disabled');
  assert.equal((await c.widgets())['tokens.generate.reason'].text, refused.text, 'the reason, under the button');
  assert.equal((await world.server.tokens('fullco', world.bearer)).length, 10);

  // One deleted (elsewhere): after a refresh, Generate is back.
  const del = await world.server.request('DELETE', `/v2/orgs/fullco/access-tokens/${ids[0]}`, { bearer: world.bearer });
  assert.equal(del.status, 204);
  s = await c.refresh();
  assert.equal(s.tokens, 9);
  assert.equal(s['generate.enabled'], 1);
  assert.equal(s['generate.refusal'], undefined);
  assert.equal(await c.hasWidget('tokens.generate.reason'), false);
  await c.openGenerate();
});
