// CI sign-in in the console (docs/oidc.md): the organization's OIDC connections on their own page
// ("#/orgs/acme/ci-sign-in", beside the token policy). A GitHub Actions connection made from the
// preset (the owner's id left out is refused in the core's words before anything is sent; an
// issuer the operator does not allow is refused by the server, on the issuer field), listed;
// deactivated from its row, a ruleset edited; its refused exchanges (a garbage ID token at
// POST /v2/oidc/token, and one whose claims matched no ruleset) with each ruleset's mismatch and
// the claims presented; the CI snippets, copied; deleted after a confirmation.
import assert from 'node:assert/strict';
import { runSql } from '../lib/database.mjs';
import { waitFor } from '../lib/time.mjs';
import { consoleTest, useConsole } from './harness.mjs';

const REGISTRY = 'registry.example.com:5000';
const world = useConsole(import.meta.url, { serveArgs: ['--registry-host', REGISTRY] });

const CONNECTIONS = '/v2/orgs/acme/oidc-connections';
const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const OWNER_HINT = 'https://api.github.com/users/OWNER gives it as "id"';
// validate_oidc_connection's sentence (core/src/oidc.cpp).
const OWNER_NOT_PINNED = `A GitHub Actions ruleset must pin "repository_owner_id" to the owner's numeric id (${OWNER_HINT}): ` +
  'names can be renamed and re-registered, and without it any repository on github.com could match.';
const OWNER_ERROR = 'oidc.error.rulesets[0].conditions.repository_owner_id';

async function apiConnections() {
  const r = await world.server.get(CONNECTIONS, { bearer: world.bearer });
  assert.equal(r.status, 200, String(r));
  return r.body.results;
}

async function apiConnection(id) {
  const r = await world.server.get(`${CONNECTIONS}/${id}`, { bearer: world.bearer });
  assert.equal(r.status, 200, String(r));
  return r.body;
}

/** A GitHub Actions connection of acme made through the API; deleted after CTX. */
async function createConnection(ctx, name, fields = {}) {
  const r = await world.server.post(CONNECTIONS, {
    name,
    issuer: GITHUB,
    audience: world.server.url,
    rulesets: [{
      name: 'release',
      conditions: { repository_owner_id: '1234567', repository: 'acme/app', ref: 'refs/heads/main' },
      resources: [{ type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-push'] }],
    }],
    ...fields,
  }, { bearer: world.bearer });
  assert.equal(r.status, 201, String(r));
  ctx.after(() => world.server.delete(`${CONNECTIONS}/${r.body.id}`, { bearer: world.bearer }).catch(() => {}));
  return r.body;
}

/** Signs in as the owner and opens acme's CI sign-in page through its tab, loaded. */
async function openPage(c) {
  await c.signIn('owner', { org: 'acme' });
  await c.click('nav.ci_sign_in');
  return c.waitForStatus((s) => s.screen === 'ci-sign-in' && s.pending === 0 && s.loading === 0,
    'the CI sign-in page, loaded');
}

/** The index of the list's row named NAME, once the list has it. */
async function rowOf(c, name) {
  const s = await c.waitForStatus((st, n) => Array.from({ length: st['oidc.connections'] ?? 0 },
    (_, i) => st[`oidc.row.${i}.name`]).includes(n), `the row ${name}`, { arg: name });
  return Array.from({ length: s['oidc.connections'] }, (_, i) => s[`oidc.row.${i}.name`]).indexOf(name);
}

/** Selects the row named NAME (its panel shows under the list). */
async function select(c, name) {
  const i = await rowOf(c, name);
  await c.click(`oidc.row.${i}`);
  await c.waitForStatus((s, id) => s['oidc.selected'] && (s[`oidc.row.${id}.name`] !== undefined),
    'a selection', { arg: i });
  await c.waitForWidget('oidc.panel.id');
  return i;
}

/**
 * Scrolls the scrolling area BODY (a widget name: the editor's body, the panel's) with the
 * mouse wheel until NAME lies within its upper part (a popup that opens below it has room), or
 * within it at all once it scrolls no further.
 */
async function reveal(c, name, body = 'oidc.editor.body') {
  let last = null;
  for (let i = 0; i < 40; ++i) {
    const w = await c.widgets();
    const r = w[name];
    const b = w[body];
    assert.ok(b, `${body} is shown`);
    const inside = r && r.y >= b.y && r.y + r.h <= b.y + b.h;
    if (inside && (r.y + r.h <= b.y + b.h * 0.6 || (last && last.y === r.y))) return;
    const down = !r || r.y + r.h > b.y + b.h * 0.6;
    last = r;
    await c.page.mouse.move(b.x + b.w / 2, b.y + b.h / 2);
    await c.waitFrames(1);
    await c.page.mouse.wheel(0, down ? 120 : -120);
    await c.waitFrames(3);
  }
  throw new Error(`${name} could not be scrolled into ${body}`);
}

async function clickIn(c, name, body) {
  await reveal(c, name, body);
  await c.click(name);
}

async function typeIn(c, name, text, { replace = true, body } = {}) {
  await reveal(c, name, body);
  await c.type(name, text, { replace });
}

consoleTest(world, 'a GitHub Actions connection from the preset: the owner\'s id is required in the core\'s words before anything is sent, the server refuses an issuer it does not allow on that field, then it is created and listed', async (c) => {
  assert.deepEqual(await apiConnections(), [], 'no connection yet');
  await openPage(c);
  assert.equal(await c.page.evaluate(() => window.location.hash), '#/orgs/acme/ci-sign-in');
  assert.match(await c.page.title(), /^CI sign-in · acme/);
  assert.equal((await c.status())['oidc.connections'], 0);

  await c.click('oidc.new');
  await c.waitForStatus((s) => s.dialog === 'connection', 'the connection editor');
  await c.waitForWidget('oidc.name');
  let w = await c.widgets();
  assert.equal(w['oidc.preset.github'].selected, true, 'GitHub Actions is the preset proposed');
  assert.equal(w['oidc.issuer'].text, GITHUB);
  assert.equal(w['oidc.name'].text, 'GitHub Actions');
  assert.equal(w['oidc.audience'].text, world.server.url, 'the audience proposed is this server\'s URL');
  // The preset's claims, the owner's id first with where to find it.
  assert.equal(w['oidc.ruleset.0.condition.0.claim'].text, 'repository_owner_id');
  assert.equal(w['oidc.ruleset.0.condition.1.claim'].text, 'repository');
  assert.equal(w['oidc.ruleset.0.condition.2.claim'].text, 'ref');
  assert.equal(w['oidc.ruleset.0.condition.0.hint'].text, `Required: ${OWNER_HINT}.`);
  await c.shot('new');

  await c.type('oidc.name', 'GitHub deploy', { replace: true });
  await typeIn(c, 'oidc.ruleset.0.condition.1.pattern', 'acme/app');
  await typeIn(c, 'oidc.ruleset.0.condition.2.pattern', 'refs/heads/main');
  await clickIn(c, 'oidc.ruleset.0.repo.add');
  await c.waitForWidget('oidc.ruleset.0.repo.picker.item.app');
  await c.click('oidc.ruleset.0.repo.picker.item.app');
  await c.waitForNoWidget('oidc.ruleset.0.repo.picker.item.app');
  await clickIn(c, 'oidc.ruleset.0.repo.0.scope.scope-image-push');

  // The owner's id left out: the core's sentence at its row, Create disabled; a click on it sends nothing.
  let s = await c.waitForStatus((st, e) => st.errors && st.errors[e], 'the owner\'s id required', { arg: OWNER_ERROR });
  assert.equal(s.errors[OWNER_ERROR], OWNER_NOT_PINNED);
  assert.equal(s['oidc.valid'], 0);
  assert.equal((await c.widgets())['oidc.submit'].disabled, true);
  await c.click('oidc.submit');
  await c.waitFrames(4);
  s = await c.status();
  assert.equal(s.pending, 0, 'nothing in flight');
  assert.equal(s.errors[OWNER_ERROR], OWNER_NOT_PINNED);
  assert.deepEqual(await apiConnections(), [], 'nothing was sent');
  await reveal(c, 'oidc.ruleset.0.condition.0.pattern');
  await c.shot('owner-required');

  await typeIn(c, 'oidc.ruleset.0.condition.0.pattern', '1234567');
  await c.waitForStatus((st, e) => st['oidc.valid'] === 1 && !(st.errors && st.errors[e]), 'a valid draft',
    { arg: OWNER_ERROR });

  // An issuer this server's operator does not allow: the server's refusal, on the issuer field.
  await typeIn(c, 'oidc.issuer', 'https://ci.example.com');
  await c.waitForStatus((st) => st['oidc.valid'] === 1, 'a valid draft (another issuer pins nothing)');
  await c.click('oidc.submit');
  s = await c.waitForStatus((st) => st.errors && st.errors['oidc.error.issuer'] && st.pending === 0,
    'the server\'s refusal');
  assert.equal(s.errors['oidc.error.issuer'], `This server accepts ID tokens from ${GITHUB}, ${GITLAB}; its operator ` +
    'can allow others (oatd serve --oidc-issuer).');
  assert.equal(s.dialog, 'connection', 'the editor stays open, the draft kept');
  assert.deepEqual(await apiConnections(), []);
  await c.shot('issuer-refused');

  // GitHub's issuer again: the refusal goes with the change; Enter creates.
  await typeIn(c, 'oidc.issuer', GITHUB);
  await c.waitForStatus((st) => st['oidc.valid'] === 1 && !(st.errors && st.errors['oidc.error.issuer']), 'the refusal gone');
  await c.press('Enter');
  s = await c.waitForStatus((st) => st.dialog === '' && st.pending === 0 && st['oidc.connections'] === 1, 'created and listed');
  assert.equal(s.toast, 'Created \u201cGitHub deploy\u201d.');

  const [made] = await apiConnections();
  assert.equal(made.name, 'GitHub deploy');
  assert.equal(made.issuer, GITHUB);
  assert.equal(made.audience, world.server.url);
  assert.equal(made.active, true);
  assert.deepEqual(made.rulesets, [{
    name: 'Ruleset 1',
    conditions: { ref: 'refs/heads/main', repository: 'acme/app', repository_owner_id: '1234567' },
    resources: [{ type: 'TYPE_REPO', path: 'acme/app', scopes: ['scope-image-push'] }],
    max_lifetime_seconds: 3600,
  }]);

  // The list: name, issuer (the preset's name), status, rulesets, last exchange; selected, its setup shown.
  assert.equal(s['oidc.row.0.name'], 'GitHub deploy');
  assert.equal(s['oidc.row.0.state'], 'Active');
  assert.equal(s['oidc.row.0.rulesets'], 1);
  assert.equal(s['oidc.row.0.last_exchange'], 'Never');
  assert.equal(s['oidc.selected'], made.id);
  assert.equal(s['oidc.tab'], 'setup');
  w = await c.widgets();
  assert.equal(w['oidc.row.0.issuer'].text, 'GitHub Actions');
  assert.equal(w['oidc.row.0.status'].text, 'Active');
  assert.equal(w['oidc.panel.id'].text, made.id);
  assert.equal(w['oidc.row.0'].selected, true);
  await c.shot('created');
  await world.server.delete(`${CONNECTIONS}/${made.id}`, { bearer: world.bearer });
});

consoleTest(world, 'deactivate a connection from its row, then edit a ruleset (the core\'s words on a lifetime out of range) and save with the keyboard', async (c, t) => {
  const made = await createConnection(t, 'deploy');
  await openPage(c);
  const i = await rowOf(c, 'deploy');
  await c.click(`oidc.row.${i}.menu`);
  await c.waitForWidget('oidc.menu.delete');
  assert.ok(!(await c.hasWidget('oidc.menu.activate')), 'an active connection offers no Activate');
  await c.click('oidc.menu.deactivate');
  await c.waitForStatus((s, n) => s[`oidc.row.${n}.state`] === 'Inactive' && s.pending === 0, 'the row inactive', { arg: i });
  assert.equal((await apiConnection(made.id)).active, false);

  await select(c, 'deploy');
  assert.ok(await c.hasWidget('oidc.panel.activate'), 'the panel offers Activate');
  await c.click('oidc.panel.edit');
  await c.waitForStatus((s, id) => s.dialog === 'connection' && s['oidc.editing'] === id, 'the editor of deploy',
    { arg: made.id });
  await c.waitForWidget('oidc.ruleset.0.condition.2.pattern');
  const w = await c.widgets();
  assert.equal(w['oidc.preset.github'].selected, true, 'the preset it follows');
  assert.equal(w['oidc.ruleset.0.condition.0.claim'].text, 'repository_owner_id', 'the owner\'s id first');
  assert.equal(w['oidc.ruleset.0.condition.2.claim'].text, 'ref');
  assert.equal(w['oidc.ruleset.0.condition.2.pattern'].text, 'refs/heads/main');
  assert.equal(w['oidc.submit'].disabled, true, 'nothing changed yet');

  await typeIn(c, 'oidc.ruleset.0.condition.2.pattern', 'refs/tags/v*');
  await typeIn(c, 'oidc.ruleset.0.max_lifetime', '200');
  const field = 'oidc.error.rulesets[0].max_lifetime_seconds';
  const s = await c.waitForStatus((st, f) => st.errors && st.errors[f], 'the lifetime refused', { arg: field });
  assert.equal(s.errors[field], '"max_lifetime_seconds" is a whole number from 300 to 3600.');
  assert.equal((await c.widgets())['oidc.submit'].disabled, true);
  await c.shot('lifetime');
  await typeIn(c, 'oidc.ruleset.0.max_lifetime', '900');
  await c.waitForStatus((st) => st['oidc.valid'] === 1 && (!st.errors || !Object.keys(st.errors).length), 'valid again');
  await c.press('Enter');
  await c.waitForStatus((st) => st.dialog === '' && st.pending === 0 && st.toast === 'Saved \u201cdeploy\u201d.', 'saved');

  const after = await apiConnection(made.id);
  assert.equal(after.version, made.version + 2, 'deactivated, then edited');
  assert.equal(after.active, false, 'the edit leaves it inactive');
  assert.deepEqual(after.rulesets[0].conditions,
    { repository_owner_id: '1234567', repository: 'acme/app', ref: 'refs/tags/v*' });
  assert.equal(after.rulesets[0].max_lifetime_seconds, 900);
  // The panel's rulesets tab says it.
  await c.click('oidc.tab.rulesets');
  await c.waitForWidget('oidc.rules.0.condition.2');
  const texts = Object.entries(await c.widgets()).filter(([k]) => /^oidc\.rules\.0\.condition\.\d+$/.test(k))
    .map(([, v]) => v.text);
  assert.ok(texts.includes('ref = refs/tags/v*'), texts.join(' | '));
  assert.equal(await c.text('oidc.rules.0.max_lifetime'), 'its access tokens live at most 15 minutes');

  await c.click('oidc.panel.activate');
  await c.waitForStatus((st, n) => st[`oidc.row.${n}.state`] === 'Active' && st.pending === 0, 'active again',
    { arg: i });
  assert.equal((await apiConnection(made.id)).active, true);
});

consoleTest(world, 'the failures tab lists the refused exchanges newest first: the reason, each ruleset\'s mismatch, the claims presented', async (c, t) => {
  const made = await createConnection(t, 'refusals');
  // A refusal whose claims matched no ruleset (as the exchange records one; a real issuer is not
  // needed to show it), then a garbage ID token at the exchange.
  const at = Math.floor(Date.now() / 1000) - 120;
  const claims = JSON.stringify({ repository: 'acme/app', ref: 'refs/heads/dev', repository_owner_id: 1234567 });
  const mismatches = JSON.stringify([
    { ruleset: 'release', claim: 'ref', expected: 'refs/heads/main', got: 'refs/heads/dev' },
    { ruleset: 'release', claim: 'environment', expected: 'production', got: null },
  ]);
  await runSql(world.db, 'INSERT INTO oidc_failures (connection_id, at, reason, claims, mismatches) VALUES ' +
    `('${made.id}', ${at}, 'The ID token''s claims match no ruleset of the connection.', '${claims}', '${mismatches}')`);
  const refused = await world.server.request('POST', '/v2/oidc/token', {
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      subject_token: 'not-a-jwt',
      connection_id: made.id,
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(refused.status, 400, String(refused));
  assert.equal(refused.body.error, 'invalid_grant');

  await openPage(c);
  await select(c, 'refusals');
  await c.click('oidc.tab.failures');
  const s = await c.waitForStatus((st) => st['oidc.tab'] === 'failures' && st['oidc.failures.loading'] === 0 &&
    st['oidc.failures'] === 2, 'two failures');
  assert.equal(s['oidc.failures'], 2);
  let w = await c.widgets();
  assert.equal(w['oidc.tab.failures'].selected, true);
  assert.equal(w['oidc.failure.0.reason'].text, 'The ID token is not a signed JWT (three parts separated by dots).');
  assert.ok(!w['oidc.failure.0.claims'], 'a token that could not be read presented no claims');
  assert.equal(w['oidc.failure.1.reason'].text, 'The ID token\'s claims match no ruleset of the connection.');
  assert.equal(w['oidc.failure.1.mismatch.0'].text, 'release: ref expected refs/heads/main, got refs/heads/dev');
  assert.equal(w['oidc.failure.1.mismatch.1'].text, 'release: environment expected production, absent');
  assert.equal(w['oidc.failure.1.claims'].open, false, 'the claims are folded');
  assert.ok(!w['oidc.failure.1.claims.text']);

  await clickIn(c, 'oidc.failure.1.claims', 'oidc.panel.body');
  await c.waitForWidget('oidc.failure.1.claims.text');
  w = await c.widgets();
  assert.equal(w['oidc.failure.1.claims'].open, true);
  assert.deepEqual(JSON.parse(w['oidc.failure.1.claims.text'].text), JSON.parse(claims));
  await c.page.screenshot({ path: '/tmp/oidc-failures.png' });
  await c.shot('failures');
  await c.click('oidc.failure.1.claims');
  await c.waitForNoWidget('oidc.failure.1.claims.text');
});

consoleTest(world, 'the setup tab\'s snippets name the connection, the organization, its audience and the registry; Copy puts them on the clipboard', async (c, t) => {
  const made = await createConnection(t, 'snippets');
  await openPage(c);
  await select(c, 'snippets');
  await c.click('oidc.tab.setup');
  await c.waitForWidget('oidc.snippet');
  let w = await c.widgets();
  assert.equal(w['oidc.snippet.github'].selected, true, 'GitHub Actions for a GitHub connection');
  const github = w['oidc.snippet'].text;
  assert.ok(github.includes(`-d connection_id=${made.id}`), github);
  assert.ok(github.includes(`&audience=${world.server.url}"`), github);
  assert.ok(github.includes(`curl -sSf ${world.server.url}/v2/oidc/token`), github);
  assert.ok(github.includes(`docker login ${REGISTRY} -u acme --password-stdin`), github);
  assert.ok(github.includes('id-token: write'), github);

  const copied = await c.copyFrom('oidc.snippet.copy');
  assert.equal(await c.text('oidc.snippet.copy'), 'Copied');
  assert.equal(copied, github);

  // A press that begins on "Copied" and ends after the label has turned back to "Copy" is one
  // click on one button: it copies again.
  await c.page.evaluate(() => navigator.clipboard.writeText(''));
  const at = await c.center('oidc.snippet.copy');
  await c.page.mouse.move(at.x, at.y);
  await c.page.mouse.down();
  await c.waitFrames(1);
  assert.equal(await c.text('oidc.snippet.copy'), 'Copied', 'pressed while it says Copied');
  await waitFor(async () => (await c.text('oidc.snippet.copy')) === 'Copy', 'the label back to Copy');
  await c.page.mouse.up();
  assert.equal(await waitFor(() => c.page.evaluate(() => navigator.clipboard.readText()), 'the clipboard'), github);
  assert.ok(copied.includes(made.id));
  await c.page.screenshot({ path: '/tmp/oidc-page.png' });
  await c.shot('github');

  await c.click('oidc.snippet.gitlab');
  await c.waitFrames(3);
  w = await c.widgets();
  assert.equal(w['oidc.snippet.gitlab'].selected, true);
  const gitlab = w['oidc.snippet'].text;
  assert.ok(gitlab.includes('id_tokens:'), gitlab);
  assert.ok(gitlab.includes(`      aud: ${world.server.url}\n`), gitlab);
  assert.ok(gitlab.includes(`-d connection_id=${made.id}`), gitlab);
  assert.ok(gitlab.includes(`docker login ${REGISTRY} -u acme --password-stdin`), gitlab);
  assert.equal(await c.copyFrom('oidc.snippet.copy'), gitlab);
  await c.shot('gitlab');
});

consoleTest(world, 'delete a connection after a confirmation; Escape first cancels, nothing deleted', async (c, t) => {
  const made = await createConnection(t, 'doomed');
  await openPage(c);
  const i = await rowOf(c, 'doomed');
  await c.click(`oidc.row.${i}.menu`);
  await c.waitForWidget('oidc.menu.delete');
  await c.click('oidc.menu.delete');
  await c.waitForStatus((s) => s.dialog === 'confirm-delete-connection', 'the confirmation');
  assert.equal(await c.text('oidc.confirm.name'), 'doomed');
  await c.press('Escape');
  await c.waitForStatus((s) => s.dialog === '', 'the confirmation closed');
  assert.equal((await apiConnection(made.id)).name, 'doomed', 'not deleted');

  await select(c, 'doomed');
  await c.click('oidc.panel.delete');
  await c.waitForStatus((s) => s.dialog === 'confirm-delete-connection', 'the confirmation');
  await c.shot('confirm');
  await c.click('oidc.confirm.delete');
  const s = await c.waitForStatus((st) => st.dialog === '' && st.pending === 0 && st.toast === 'Deleted \u201cdoomed\u201d.',
    'deleted');
  const names = Array.from({ length: s['oidc.connections'] }, (_, k) => s[`oidc.row.${k}.name`]);
  assert.ok(!names.includes('doomed'), names.join(', '));
  const gone = await world.server.get(`${CONNECTIONS}/${made.id}`, { bearer: world.bearer });
  assert.equal(gone.status, 404, String(gone));
});

consoleTest(world, 'a member who may not manage tokens: the CI sign-in page\'s URL lands there after signing in, and says why there is nothing to manage', async (c) => {
  await c.submitSignIn('member');
  await c.waitForStatus((s) => s.screen === 'ci-sign-in' && s.org === 'acme' && s.pending === 0, 'the page');
  assert.ok(!(await c.hasWidget('oidc.new')), 'nothing to make');
  assert.ok(!(await c.hasWidget('oidc.row.0')), 'nothing listed');
  assert.ok(await c.hasWidget('nav.ci_sign_in'), 'the tab of the view shown');
}, { hash: '#/orgs/acme/ci-sign-in' });
