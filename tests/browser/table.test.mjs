// The tokens table: what the API holds, with each token's status, filtered and sorted.
import assert from 'node:assert/strict';
import { consoleTest, rfc3339, sleep, useConsole } from './harness.mjs';

const ACTIVE = ['build-bot', 'deploy-prod', 'nightly'];
const INACTIVE = ['old-ci', 'paused'];
const EXPIRED = ['short-lived'];

const world = useConsole(import.meta.url, {
  async setup(w) {
    const { server, bearer } = w;
    const expires = Date.now() + 3000;
    await server.createToken('acme', bearer, { label: EXPIRED[0], expires_at: rfc3339(expires + 999) });
    for (const label of INACTIVE) {
      const t = await server.createToken('acme', bearer, { label, description: `${label} (kept for audits)` });
      const r = await server.request('PATCH', `/v2/orgs/acme/access-tokens/${t.id}`, {
        bearer, json: { is_active: false },
      });
      assert.equal(r.status, 200, String(r));
    }
    for (const label of ACTIVE) await server.createToken('acme', bearer, { label });
    // Until the short-lived one is expired.
    while (Date.now() < expires + 1500) await sleep(100);
  },
});

/** Clicks a status filter and returns how many rows the table shows then. */
async function rowsWith(c, status) {
  await c.click(`tokens.status.${status}`);
  await c.waitFrames(2);
  return (await c.status()).rows;
}

consoleTest(world, 'the table lists the tokens created via the API with their statuses', async (c) => {
  const api = await world.server.tokens('acme', world.bearer);
  assert.equal(api.length, 6);
  const s = await c.signIn('owner', { org: 'acme' });
  assert.equal(s.tokens, 6, 'every token is loaded');
  assert.equal(s.rows, 6, 'every token has a row');
  for (let i = 0; i < 6; ++i) {
    await c.waitForWidget(`tokens.row.${i}`);
    await c.waitForWidget(`tokens.row.${i}.status`);
  }
  assert.equal(await c.hasWidget('tokens.row.6'), false);
  // The status filters show each state's tokens: as many as the API says.
  assert.equal(await rowsWith(c, 'active'), ACTIVE.length);
  await c.shot('active');
  assert.equal(await rowsWith(c, 'inactive'), INACTIVE.length);
  assert.equal(await rowsWith(c, 'expired'), EXPIRED.length);
  await c.shot('expired');
  assert.equal(await rowsWith(c, 'all'), 6);
});

consoleTest(world, 'the filter narrows the rows by label, description or creator', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  await c.type('tokens.filter', 'deploy');
  assert.equal((await c.status()).rows, 1);
  await c.press('Control+A');
  await c.press('Backspace');
  await c.type('tokens.filter', 'AUDITS');  // case-insensitive, in the descriptions
  assert.equal((await c.status()).rows, INACTIVE.length);
  await c.press('Control+A');
  await c.press('Backspace');
  await c.type('tokens.filter', 'no-such-token');
  assert.equal((await c.status()).rows, 0);
  await c.click('tokens.clear_filters');
  await c.waitFrames(2);
  assert.equal((await c.status()).rows, 6);
  await c.type('tokens.filter', 'owner');  // the creator
  assert.equal((await c.status()).rows, 6);
});

consoleTest(world, 'the rows show each token\'s label and status, newest first', async (c) => {
  const s = await c.signIn('owner', { org: 'acme' });
  const api = await world.server.tokens('acme', world.bearer);
  const want = { ...Object.fromEntries(ACTIVE.map((l) => [l, 'Active'])),
    ...Object.fromEntries(INACTIVE.map((l) => [l, 'Inactive'])), [EXPIRED[0]]: 'Expired' };
  const shown = api.map((_, i) => [s[`tokens.row.${i}.label`], s[`tokens.row.${i}.state`]]);
  // The API's order (newest first) and the API's labels, each with its state.
  assert.deepEqual(shown, api.map((tok) => [tok.label, want[tok.label]]));
  assert.deepEqual(shown.map(([, state]) => state).sort(),
    api.map((tok) => (tok.expires_at && Date.parse(tok.expires_at) < Date.now() ? 'Expired'
      : tok.is_active ? 'Active' : 'Inactive')).sort(), 'the states agree with the API\'s fields');
  for (let i = 0; i < api.length; ++i) assert.equal(s[`tokens.row.${i}.last_used`], 'Never');
});

consoleTest(world, 'sorting by label orders the rows', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  await c.click('tokens.header.label');
  await c.waitFrames(2);
  const s = await c.status();
  const labels = Array.from({ length: 6 }, (_, i) => s[`tokens.row.${i}.label`]);
  const sorted = [...labels].sort();
  assert.ok(JSON.stringify(labels) === JSON.stringify(sorted) ||
    JSON.stringify(labels) === JSON.stringify([...sorted].reverse()), `sorted: ${labels}`);
  await c.click('tokens.header.label');
  await c.waitFrames(2);
  const again = await c.status();
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => again[`tokens.row.${i}.label`]), [...labels].reverse());
});

consoleTest(world, 'a new token made via the API appears after a refresh', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const token = await world.server.createToken('acme', world.bearer, { label: 'late-comer' });
  const s = await c.refresh();
  assert.equal(s.tokens, 7);
  assert.equal(s.rows, 7);
  const r = await world.server.request('DELETE', `/v2/orgs/acme/access-tokens/${token.id}`, { bearer: world.bearer });
  assert.equal(r.status, 204);
  assert.equal((await c.refresh()).tokens, 6);
});
