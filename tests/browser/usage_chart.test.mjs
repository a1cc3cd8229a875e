// Registry use per day and the expiry banner: the banner above the tokens table counts the
// active tokens that expire within 30 days (as the server does: ?expiring_within_days=30), says
// so in the singular for one, follows a delete, and its "Show them" lists them first; a token's
// details drawer charts its pulls, pushes and sign-ins over the last 30 days (hovering today's
// bar with the mouse shows the day's numbers), or says it had none; the activity page charts
// the organization's, in both themes and in an 800-pixel window.
import assert from 'node:assert/strict';
import { consoleTest, registrySignIn, rfc3339, useConsole, waitFor } from './harness.mjs';

const world = useConsole(import.meta.url);
const DAY_MS = 86400e3;
const SIGN_INS = 3;

/** The days GET PATH answers (a usage series), oldest first. */
async function usageDays(path) {
  const r = await world.server.get(path, { bearer: world.bearer });
  assert.equal(r.status, 200, String(r));
  assert.equal(r.body.days.length, 30, 'thirty days by default');
  return r.body.days;
}
const tokenUsage = (id) => usageDays(`/v2/orgs/acme/access-tokens/${id}/usage?days=30`);
const orgUsage = () => usageDays('/v2/orgs/acme/usage?days=30');

/** A day as the chart's tooltip says it: "2026-12-01 · 3 pulls · 0 pushes · 2 sign-ins". */
function dayWords(d) {
  const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  return [d.date, count(d.pulls, 'pull', 'pulls'), count(d.pushes, 'push', 'pushes'),
    count(d.sign_ins, 'sign-in', 'sign-ins')].join(' \u00b7 ');
}

/** Waits until the chart NAME has its days; the widget. */
async function loadedChart(c, name) {
  await c.waitForWidget(name);
  const handle = await c.page.waitForFunction((n) => {
    const w = window.__oat_widgets?.[n];
    return w && w.state !== 'loading' ? w : null;
  }, name, { polling: 'raf' });
  return handle.jsonValue();
}

/** Hovers the chart NAME's column for DATE with the mouse; what its tooltip says. */
async function hoverDay(c, name, date) {
  await c.hover(`${name}.day.${date}`);
  const w = await c.waitForWidget(name);
  assert.equal(typeof w.hover, 'string', `${name} publishes the hovered day: ${JSON.stringify(w)}`);
  return w.hover;
}

/** The chart, its day columns and the window: nothing reaches past the page's right margin. */
async function assertInside(c, name, windowWidth) {
  const w = await c.widgets();
  const chart = w[name];
  assert.ok(chart, `${name} shown`);
  assert.ok(chart.x >= 0 && chart.x + chart.w <= windowWidth - 16,
    `${name} fits a ${windowWidth}-pixel window: ${JSON.stringify(chart)}`);
  const days = Object.entries(w).filter(([k]) => k.startsWith(`${name}.day.`));
  assert.equal(days.length, 30, 'thirty day columns');
  for (const [k, r] of days) {
    assert.ok(r.x >= chart.x - 0.5 && r.x + r.w <= chart.x + chart.w + 0.5,
      `${k} inside the chart: ${JSON.stringify(r)}`);
  }
}

/** The paths of the usage requests the page sends from now on (a list that grows). */
function usageRequests(c) {
  const paths = [];
  c.page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith('/usage')) paths.push(url.pathname + url.search);
  });
  return paths;
}

/** Flips the theme with the top bar's toggle (one frame to repaint, two to settle). */
async function toggleTheme(c) {
  await c.click('topbar.theme');
  await c.page.mouse.move(5, 890);
  await c.waitFrames(3);
}

async function createExpiring(org, label, days) {
  return world.server.createToken(org, world.bearer, {
    label, resources: [{ type: 'TYPE_REPO', path: `${org}/app`, scopes: ['scope-image-pull'] }],
    expires_at: rfc3339(Date.now() + days * DAY_MS),
  });
}

/** The server's count of ORG's active tokens expiring within 30 days. */
async function expiringTotal(org) {
  const r = await world.server.get(`/v2/orgs/${org}/access-tokens?expiring_within_days=30&page_size=1`,
    { bearer: world.bearer });
  assert.equal(r.status, 200, String(r));
  return r.body.total;
}

// --- The expiry banner (first: acme holds no token yet) ---------------------------------------

consoleTest(world, 'no banner while no token expires within 30 days', async (c) => {
  await world.server.createToken('acme', world.bearer, { label: 'never-expires' });
  await createExpiring('acme', 'expires-in-60-days', 60);
  assert.equal(await expiringTotal('acme'), 0);
  await c.signIn('owner', { org: 'acme' });
  // The count is known (0), and nothing is said.
  await c.waitForStatus((s) => s['tokens.expiring'] === 0, 'the count of expiring tokens');
  await c.waitFrames(2);
  assert.equal(await c.hasWidget('tokens.expiring'), false, 'no banner');
  assert.equal(await c.hasWidget('tokens.expiring.show'), false);
});

consoleTest(world, 'the banner counts the tokens expiring within 30 days, lists them first, and follows a delete', async (c) => {
  await createExpiring('acme', 'soon-25-days', 25);
  await createExpiring('acme', 'soon-3-days', 3);
  await createExpiring('acme', 'soon-10-days', 10);
  // A deactivated token is not counted (only active ones stop working).
  const off = await createExpiring('acme', 'soon-but-off', 5);
  assert.equal((await world.server.patch(`/v2/orgs/acme/access-tokens/${off.id}`, { is_active: false },
    { bearer: world.bearer })).status, 200);
  assert.equal(await expiringTotal('acme'), 3);

  await c.signIn('owner', { org: 'acme' });
  await c.waitForStatus((s) => s['tokens.expiring'] === 3, 'three expiring tokens');
  assert.equal(await c.text('tokens.expiring'), '3 tokens expire within 30 days');
  // Above the table.
  const w = await c.widgets();
  assert.ok(w['tokens.expiring'].y + w['tokens.expiring'].h <= w['tokens.header.label'].y,
    'the banner is above the table');
  await c.page.mouse.move(5, 890);
  await c.waitFrames(2);
  await c.shot('banner');

  // "Show them": the active tokens, soonest expiry first.
  await c.click('tokens.expiring.show');
  await c.waitFrames(2);
  const labels = await c.rowLabels();
  assert.deepEqual(labels.slice(0, 3), ['soon-3-days', 'soon-10-days', 'soon-25-days'], `rows: ${labels}`);
  assert.ok(!labels.includes('soon-but-off'), 'only active tokens');
  const s = await c.status();
  assert.deepEqual(labels.map((_, i) => s[`tokens.row.${i}.state`]), labels.map(() => 'Active'),
    'the Active filter is on');
  await c.shot('show-them');

  // Deleting one in the console counts again with the reloaded list.
  const i = await c.rowOf('soon-25-days');
  await c.click(`tokens.row.${i}.menu`);
  await c.waitForWidget('row.delete');
  await c.click('row.delete');
  await c.waitForStatus((s) => s.dialog === 'confirm-delete', 'the confirmation');
  await c.click('confirm.delete');
  await c.waitForStatus((s) => s['tokens.expiring'] === 2 && s.pending === 0 && !s.dialog, 'two expiring tokens');
  assert.equal(await c.text('tokens.expiring'), '2 tokens expire within 30 days');
  assert.equal(await expiringTotal('acme'), 2);

  // Light theme too.
  await toggleTheme(c);
  await c.shot('banner-light');
  await toggleTheme(c);
});

consoleTest(world, 'one expiring token is said in the singular', async (c) => {
  await createExpiring('bizco', 'bizco-soon', 12);
  await c.signIn('owner', { org: 'acme' });
  await c.selectOrg('bizco');
  await c.waitForStatus((s) => s.org === 'bizco' && s['tokens.expiring'] === 1, 'one expiring token in bizco');
  assert.equal(await c.text('tokens.expiring'), '1 token expires within 30 days');
});

// --- Registry use per day ---------------------------------------------------------------------

let used;  // the token signed in with at GET /token (the drawer's test; the activity page's after)

consoleTest(world, "the drawer charts a token's use per day; today's bar shows its sign-ins", async (c) => {
  used = await world.server.createToken('acme', world.bearer, { label: 'chart-bot' });
  for (let i = 0; i < SIGN_INS; ++i) await registrySignIn(world.server, 'acme', used.token);
  // oatd writes use in batches (about every second): wait until the API has all of it.
  const days = await waitFor(async () => {
    const d = await tokenUsage(used.id);
    return d.at(-1).sign_ins === SIGN_INS ? d : null;
  }, `${SIGN_INS} sign-ins today in the token's usage`);
  const today = days.at(-1);

  await c.signIn('owner', { org: 'acme' });
  const asked = usageRequests(c);
  await c.type('tokens.filter', 'chart-bot');
  await c.click('tokens.row.0');
  await c.waitForStatus((s) => s.dialog === 'details' && s['details.loading'] === 0, 'the details, loaded');
  const chart = await loadedChart(c, 'details.usage');
  assert.equal(chart.state, 'loaded', JSON.stringify(chart));
  assert.match(chart.text, new RegExp(`${SIGN_INS} sign-ins$`));
  await c.shot('drawer');

  const words = await hoverDay(c, 'details.usage', today.date);
  assert.equal(words, dayWords(today));
  assert.match(words, new RegExp(`^${today.date} \u00b7 .* \u00b7 ${SIGN_INS} sign-ins$`));
  await c.shot('drawer-hover');
  // Yesterday had none.
  assert.equal(await hoverDay(c, 'details.usage', days.at(-2).date), dayWords(days.at(-2)));
  assert.match(dayWords(days.at(-2)), / 0 sign-ins$/);
  // Away from the chart, no day is hovered.
  await c.page.mouse.move(5, 890);
  await c.waitFrames(2);
  assert.equal((await c.widgets())['details.usage'].hover, undefined);
  // Asked once, when the drawer opened (not on every frame drawn since).
  assert.deepEqual(asked, [`/v2/orgs/acme/access-tokens/${used.id}/usage?days=30`]);

  // In an 800-pixel window the drawer (and its chart) keeps inside.
  await c.page.setViewportSize({ width: 800, height: 900 });
  await c.page.waitForFunction(() => (window.__oat_widgets?.['details.close']?.x ?? 1e9) < 800, null,
    { polling: 'raf' });
  await c.waitFrames(3);
  await assertInside(c, 'details.usage', 800);
  assert.equal(await hoverDay(c, 'details.usage', today.date), dayWords(today));
  await c.shot('drawer-800px');
});

consoleTest(world, 'an unused token\'s drawer says it had no use', async (c) => {
  await world.server.createToken('acme', world.bearer, { label: 'idle-bot' });
  await c.signIn('owner', { org: 'acme' });
  await toggleTheme(c);  // light (the drawer is modal: its toggle is behind it)
  await c.type('tokens.filter', 'idle-bot');
  await c.click('tokens.row.0');
  await c.waitForStatus((s) => s.dialog === 'details' && s['details.loading'] === 0, 'the details, loaded');
  const chart = await loadedChart(c, 'details.usage');
  assert.equal(chart.state, 'empty');
  assert.equal(chart.text, 'No use in the last 30 days');
  assert.equal(Object.keys(await c.widgets()).filter((k) => k.startsWith('details.usage.day.')).length, 0, 'no bars');
  await c.shot('empty-light');
});

consoleTest(world, "the activity page charts the organization's use above the log", async (c) => {
  assert.ok(used, 'runs after the drawer test, which signed in with chart-bot');
  const days = await orgUsage();
  const today = days.at(-1);
  assert.equal(today.sign_ins, SIGN_INS, 'the organization\'s sign-ins today are chart-bot\'s');

  await c.signIn('owner', { org: 'acme' });
  const asked = usageRequests(c);
  await c.click('nav.activity');
  await c.waitIdle('activity');
  const chart = await loadedChart(c, 'activity.usage');
  assert.equal(chart.state, 'loaded', JSON.stringify(chart));
  const w = await c.widgets();
  assert.ok(chart.y + chart.h <= w['activity.filter'].y, 'the chart is above the log');

  assert.equal(await hoverDay(c, 'activity.usage', today.date), dayWords(today));
  await c.shot('hover-dark');
  await assertInside(c, 'activity.usage', 1440);

  await c.page.mouse.move(5, 890);
  await toggleTheme(c);
  await c.hover(`activity.usage.day.${today.date}`);
  await c.shot('hover-light');

  // A narrow window: the chart follows it, and its columns stay inside.
  await c.page.setViewportSize({ width: 800, height: 900 });
  await c.page.waitForFunction(() => (window.__oat_widgets?.['activity.usage']?.w ?? 1e9) <= 800 - 64,
    null, { polling: 'raf' });
  await c.waitFrames(3);
  await assertInside(c, 'activity.usage', 800);
  assert.equal(await hoverDay(c, 'activity.usage', today.date), dayWords(today));
  await c.shot('800px');
  assert.deepEqual(asked, ['/v2/orgs/acme/usage?days=30'], 'asked once, when the view opened');
});
