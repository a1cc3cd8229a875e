// History: each view is a URL (#/orgs/{org}/tokens, .../tokens/{id} for a token's details,
// .../activity, .../policy); moving between views and organizations adds a history entry, Back
// and Forward move within the console, dialogs add none, and a view's URL opened in a new page
// lands on that view after signing in.
import assert from 'node:assert/strict';
import { WAIT_MS, consoleTest, useConsole, withConsolePage } from './harness.mjs';

const world = useConsole(import.meta.url, {
  async setup(w) {
    w.token = await w.server.createToken('acme', w.bearer, { label: 'history-bot' });
    // A token that was there and is not any more: its link leads nowhere.
    const gone = await w.server.createToken('acme', w.bearer, { label: 'gone-bot' });
    const r = await w.server.request('DELETE', `/v2/orgs/acme/access-tokens/${gone.id}`, { bearer: w.bearer });
    assert.equal(r.status, 204, String(r));
    w.gone = gone;
  },
});

const hashOf = (c) => new URL(c.page.url()).hash;
const historyLength = (c) => c.page.evaluate(() => window.history.length);

/**
 * Waits until the console shows VIEW ({screen, dialog ('' for none), org}) with nothing in
 * flight and the URL's hash is HASH; checks the page's title against TITLE. The status.
 */
async function at(c, { screen, dialog = '', org = 'acme' }, hash, title) {
  const s = await c.waitForStatus(
    (st, a) => st.screen === a.screen && (st.dialog ?? '') === a.dialog && st.pending === 0 && !st.loading &&
      (a.screen !== 'tokens' || st.org === a.org),
    `${screen}${dialog ? ` with ${dialog}` : ''} at ${hash}`, { arg: { screen, dialog, org } });
  await c.page.waitForFunction((h) => window.location.hash === h, hash, { timeout: WAIT_MS }).catch(() => {
    throw new Error(`the URL's hash is ${hashOf(c)}, not ${hash}`);
  });
  if (title) assert.match(await c.page.title(), title);
  return s;
}

const TOKENS = { screen: 'tokens' };
const ACTIVITY = { screen: 'activity' };
const POLICY = { screen: 'policy' };
const DETAILS = { screen: 'tokens', dialog: 'details' };

/** Back (FORWARD: Forward) in the browser, as its button does, then a frame. */
async function back(c) {
  await c.page.goBack({ timeout: WAIT_MS, waitUntil: 'commit' });
  await c.waitFrames(2);
}
async function forward(c) {
  await c.page.goForward({ timeout: WAIT_MS, waitUntil: 'commit' });
  await c.waitFrames(2);
}

/** Opens the drawer of the row labelled LABEL. */
async function openDetails(c, label) {
  const i = await c.waitForRow(label);
  await c.click(`tokens.row.${i}`);
}

consoleTest(world, 'Back and Forward move across tokens, activity, policy and a token\'s details', async (c) => {
  const id = world.token.id;
  const tokensHash = '#/orgs/acme/tokens';
  const detailsHash = `#/orgs/acme/tokens/${id}`;
  await c.signIn('owner', { org: 'acme' });
  await at(c, TOKENS, tokensHash, /^Access tokens · acme · OAT Console$/);
  const start = await historyLength(c);

  await c.click('nav.activity');
  await at(c, ACTIVITY, '#/orgs/acme/activity', /^Activity · acme/);
  await c.click('nav.policy');
  await at(c, POLICY, '#/orgs/acme/policy', /^Token policy · acme/);
  await c.click('nav.tokens');
  await at(c, TOKENS, tokensHash, /^Access tokens · acme/);
  await openDetails(c, 'history-bot');
  await at(c, DETAILS, detailsHash, /^history-bot · Access tokens · acme/);
  assert.equal(await c.text('details.id'), id);
  assert.equal(await historyLength(c), start + 4, 'one history entry per view');

  // A dialog is no history entry: the URL stays the drawer's.
  await c.click('details.edit');
  await c.waitForStatus((s) => s.dialog === 'edit' && s.pending === 0, 'the edit dialog');
  assert.equal(hashOf(c), detailsHash);
  await c.press('Escape');
  await at(c, DETAILS, detailsHash);
  assert.equal(await historyLength(c), start + 4, 'the edit dialog added no entry');
  await c.shot('details');

  await back(c);
  await at(c, TOKENS, tokensHash, /^Access tokens · acme/);
  await back(c);
  await at(c, POLICY, '#/orgs/acme/policy', /^Token policy · acme/);
  await back(c);
  await at(c, ACTIVITY, '#/orgs/acme/activity', /^Activity · acme/);
  await back(c);
  await at(c, TOKENS, tokensHash, /^Access tokens · acme/);
  await c.shot('back at the start');

  await forward(c);
  await at(c, ACTIVITY, '#/orgs/acme/activity', /^Activity · acme/);
  await forward(c);
  await at(c, POLICY, '#/orgs/acme/policy', /^Token policy · acme/);
  await forward(c);
  await at(c, TOKENS, tokensHash);
  await forward(c);
  await at(c, DETAILS, detailsHash, /^history-bot · /);
  await c.waitForStatus((s) => s['details.loading'] === 0, 'the details loaded');
  assert.equal(await c.text('details.id'), id);
  assert.equal(await historyLength(c), start + 4, 'Back and Forward added no entry');

  // Closing the drawer is a move to the list (an entry); Back opens the drawer again.
  await c.click('details.close');
  await at(c, TOKENS, tokensHash, /^Access tokens · acme/);
  assert.equal(await historyLength(c), start + 5);
  await back(c);
  await at(c, DETAILS, detailsHash);
  // Back with a dialog open on the list: the dialog goes with the view; it was no entry.
  await back(c);
  await at(c, TOKENS, tokensHash);
  await c.openGenerate();
  assert.equal(hashOf(c), tokensHash);
  await back(c);
  await at(c, POLICY, '#/orgs/acme/policy');
  assert.equal(await historyLength(c), start + 5, 'the generate dialog added no entry');
});

consoleTest(world, 'switching organization is a history entry', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  await c.selectOrg('bizco');
  await at(c, { screen: 'tokens', org: 'bizco' }, '#/orgs/bizco/tokens', /^Access tokens · bizco/);
  await c.click('nav.activity');
  await at(c, ACTIVITY, '#/orgs/bizco/activity', /^Activity · bizco/);

  await back(c);
  await at(c, { screen: 'tokens', org: 'bizco' }, '#/orgs/bizco/tokens');
  await back(c);
  const s = await at(c, TOKENS, '#/orgs/acme/tokens', /^Access tokens · acme/);
  assert.equal(s.tokens, (await world.server.tokens('acme', world.bearer)).length, 'acme\'s list, loaded again');
  await forward(c);
  await at(c, { screen: 'tokens', org: 'bizco' }, '#/orgs/bizco/tokens', /^Access tokens · bizco/);
  await forward(c);
  await at(c, ACTIVITY, '#/orgs/bizco/activity', /^Activity · bizco/);
});

consoleTest(world, 'a view\'s URL opened in a new page lands on that view after signing in', async () => {
  const id = world.token.id;
  const views = [
    ['activity of bizco', '#/orgs/bizco/activity', ACTIVITY, /^Activity · bizco/],
    ['policy of acme', '#/orgs/acme/policy', POLICY, /^Token policy · acme/],
    ['tokens of bizco', '#/orgs/bizco/tokens', { screen: 'tokens', org: 'bizco' }, /^Access tokens · bizco/],
    ['a token\'s details', `#/orgs/acme/tokens/${id}`, DETAILS, /^history-bot · Access tokens · acme/],
  ];
  for (const [what, hash, view, title] of views) {
    await withConsolePage(world, `new page ${what}`, { hash }, async (c) => {
      await c.submitSignIn('owner');
      await at(c, view, hash, title);
      if (view === DETAILS) {
        await c.waitForStatus((s) => s['details.loading'] === 0 && s['details.resources'] >= 1, 'the details loaded');
        assert.equal(await c.text('details.id'), id);
        assert.equal(await c.text('details.status'), 'Active');
        // Closing the drawer shows the list, and Back opens the drawer again.
        await c.click('details.close');
        await at(c, TOKENS, '#/orgs/acme/tokens');
        await back(c);
        await at(c, DETAILS, hash);
      }
    });
  }
});

consoleTest(world, 'a token\'s URL that leads nowhere lands on the list with a message', async (c) => {
  const before = await historyLength(c);
  await c.submitSignIn('owner');
  const s = await at(c, TOKENS, '#/orgs/acme/tokens', /^Access tokens · acme/);
  assert.match(s['tokens.notice'] ?? '', new RegExp(`^acme has no access token with the ID ${world.gone.id}; it may have been deleted\\.$`));
  assert.equal(await c.text('tokens.notice'), s['tokens.notice']);
  assert.equal(await historyLength(c), before, 'the dead link was replaced, not added to');
  await c.shot('notice');
  // It goes once dismissed, and the console works on.
  await c.click('tokens.notice.dismiss');
  await c.waitForNoWidget('tokens.notice');
  await openDetails(c, 'history-bot');
  await at(c, DETAILS, `#/orgs/acme/tokens/${world.token.id}`);
}, { hash: () => `#/orgs/acme/tokens/${world.gone.id}` });

consoleTest(world, 'Back from the first view leaves the console, and coming back finds it working', async (c) => {
  // Another site first, then the console.
  await c.page.goto(`data:text/html,<title>elsewhere</title><p>elsewhere</p>`, { timeout: WAIT_MS });
  await c.goto('');
  await c.signIn('owner', { org: 'acme' });
  await at(c, TOKENS, '#/orgs/acme/tokens');
  await c.click('nav.activity');
  await at(c, ACTIVITY, '#/orgs/acme/activity');
  await back(c);
  await at(c, TOKENS, '#/orgs/acme/tokens', /^Access tokens · acme/);

  // Signing in added no entry: one more Back leaves the console.
  await c.page.goBack({ timeout: WAIT_MS });
  assert.equal(await c.page.title(), 'elsewhere');

  // Forward: the console again, on the view it was on (signing in again when the browser did
  // not keep the page), and it works on.
  await c.page.goForward({ timeout: WAIT_MS });
  await c.page.waitForFunction(() => window.__oat_status && ['signin', 'tokens'].includes(window.__oat_status.screen),
    null, { timeout: WAIT_MS, polling: 'raf' });
  if ((await c.status()).screen === 'signin') await c.submitSignIn('owner', undefined, { replace: true });
  await at(c, TOKENS, '#/orgs/acme/tokens', /^Access tokens · acme/);
  await c.click('nav.policy');
  await at(c, POLICY, '#/orgs/acme/policy');
  await back(c);
  await at(c, TOKENS, '#/orgs/acme/tokens');
  await forward(c);
  await at(c, POLICY, '#/orgs/acme/policy');
});
