// What the console refuses before sending, in the core's words (the same the server would
// answer), and the plan's quota.
import assert from 'node:assert/strict';
import { admin, consoleTest, tokenRequest, useConsole } from './harness.mjs';

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
  const r = await world.server.post(`/v2/orgs/${org}/access-tokens`, tokenRequest(org, fields), { bearer: world.bearer });
  assert.equal(r.status, 400, String(r));
  return r.body;
}

/**
 * In a fresh generate dialog of acme, FILL(c) makes a draft the core refuses for FIELD and
 * resolves the create-body fields that say the same to the server. The console must show the
 * server's very words for FIELD, hold the draft invalid, and send nothing when Generate is
 * pressed (SHOT: the screenshot's name). Resolves the status with the error.
 */
async function refusedBeforeSending(c, field, shot, fill) {
  await c.signIn('owner', { org: 'acme' });
  const before = await world.server.snapshot('acme', world.bearer);
  await c.openGenerate();
  const fields = await fill();
  const s = await c.waitForStatus((st, f) => typeof st[`generate.error.${f}`] === 'string', `the ${field} error`,
    { arg: field });
  const server = await serverRefusal('acme', fields);
  assert.equal(s[`generate.error.${field}`], server.fields[field][0], 'the server\'s words, shown before sending');
  assert.equal(s['generate.valid'], 0);
  await c.shot(shot);
  await c.click('generate.submit');
  await c.waitFrames(5);
  const after = await c.status();
  assert.equal(after.dialog, 'generate', 'the dialog stays open');
  assert.equal(after.pending, 0, 'no request in flight');
  assert.deepEqual(await world.server.snapshot('acme', world.bearer), before, 'no token and no audit event');
  return s;
}

consoleTest(world, 'a 101-character label shows the core\'s message and nothing is sent', async (c) => {
  const label = 'L'.repeat(101);
  await refusedBeforeSending(c, 'label', 'label-error', async () => {
    await c.addRepository('app');
    await c.type('generate.label', label);
    await c.waitForWidget('generate.error.label');
    // Enter in the field sends nothing either.
    await c.press('Enter');
    return { label };
  });
  // One character less and it is valid.
  await c.click('generate.label');
  await c.press('End');
  await c.press('Backspace');
  const ok = await c.waitForStatus((st) => st['generate.valid'] === 1, 'a valid draft');
  assert.equal(ok['generate.error.label'], undefined);
});

consoleTest(world, 'a 201-character description shows the core\'s message and nothing is sent', async (c) => {
  const description = 'd'.repeat(201);
  const s = await refusedBeforeSending(c, 'description', 'description-error', async () => {
    await c.type('generate.label', 'long description');
    await c.addRepository('app');
    await c.paste('generate.description', description);
    return { description };
  });
  assert.equal(s['generate.description.counter'], '201/200');
});

consoleTest(world, 'an expiration more than a year ahead shows the core\'s message', async (c) => {
  await refusedBeforeSending(c, 'expires_at', 'expiry-error', async () => {
    await c.type('generate.label', 'far future');
    await c.addRepository('app');
    await c.click('generate.expiry.custom');
    // The custom date starts a month ahead; two years later than that is too far.
    const year = await c.waitForWidget('generate.expiry.year');
    const month = (await c.widgets())['generate.expiry.month'];
    const day = (await c.widgets())['generate.expiry.day'];
    const farYear = Number(year.text) + 2;
    await c.type('generate.expiry.year', String(farYear), { replace: true });
    // The server's words for the same date (at noon UTC: the day is what matters).
    const dd = String(Math.min(Number(day.text), 28)).padStart(2, '0');
    return { expires_at: `${farYear}-${month.text.padStart(2, '0')}-${dd}T12:00:00Z` };
  });
});

consoleTest(world, 'a token without any repository or scope is refused before sending', async (c) => {
  await refusedBeforeSending(c, 'resources', 'resources-error', async () => {
    await c.type('generate.label', 'reaches nothing');
    // Before an attempt it is a hint; Enter (an attempt to generate) makes it the error.
    await c.press('Enter');
    return { resources: [] };
  });
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
