// Touch: a tap presses exactly where it lands, a swipe scrolls and presses nothing, a long press
// is a right-click (a token row's menu). Driven with Playwright's touch screen (hasTouch) and the
// DevTools protocol's touch events for swipes and long presses; no mouse event is sent.
import assert from 'node:assert/strict';
import { consoleTest, inkOver, password, registrySignIn, rfc3339, useConsole, waitFor } from './harness.mjs';

const world = useConsole(import.meta.url);

const TABLET = { viewport: { width: 1024, height: 768 }, touch: true };
const PHONE = { viewport: { width: 390, height: 844 }, touch: true };

/** Signs USER in by tapping the fields and the button; the tokens table of ORG, loaded. */
async function tapSignIn(c, user = 'owner', org = 'acme') {
  await c.waitForWidget('signin.username');
  await c.tap('signin.username');
  await c.page.keyboard.type(user);
  await c.tap('signin.password');
  await c.page.keyboard.type(password(user));
  await c.tap('signin.submit');
  await c.waitForStatus((s) => s.screen === 'tokens' && s.pending === 0 && s.loading === 0, 'the tokens table');
  if (org !== 'acme') {
    await c.tap('topbar.org');
    await c.tap(`topbar.org.option.${org}`);
  }
  return c.waitForStatus((s, o) => s.org === o && s.pending === 0 && s.loading === 0, `the tokens of ${org}`,
    { arg: org });
}

/** A finger at (X, Y) moved by (DX, DY) in STEPS moves, a frame each, then lifted. */
async function swipe(c, { x, y }, dx, dy, steps = 10) {
  const cdp = await c.context.newCDPSession(c.page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  await c.waitFrames(1);
  for (let i = 1; i <= steps; ++i) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove', touchPoints: [{ x: x + (dx * i) / steps, y: y + (dy * i) / steps }],
    });
    await c.waitFrames(1);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await c.waitFrames(3);
}

/** A finger held still at NAME's center for MS, then lifted. */
async function longPress(c, name, ms = 800) {
  const { x, y } = await c.center(name);
  const cdp = await c.context.newCDPSession(c.page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  await c.page.waitForTimeout(ms);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await c.waitFrames(3);
}

consoleTest(world, 'a leaked token found and deactivated with taps only', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'leaked-ci' });
  await world.server.createToken('acme', world.bearer, { label: 'keep-me' });
  const theme = (await c.status()).theme;
  await tapSignIn(c);
  await c.tap('tokens.filter');
  await c.page.keyboard.type('leaked');
  await c.waitForStatus((s) => s.rows === 1 && s['tokens.row.0.label'] === 'leaked-ci', 'only the leaked token');
  await c.tap('tokens.row.0.menu');
  await c.waitForWidget('row.deactivate');
  await c.tap('row.deactivate');
  await c.waitForStatus((s) => s['tokens.row.0.state'] === 'Inactive' && s.pending === 0, 'the row Inactive');
  assert.equal((await world.server.token('acme', t.id, world.bearer)).body.is_active, false, 'inactive in the API');
  const s = await c.status();
  assert.equal(s.theme, theme, 'no tap landed on the theme toggle');
  assert.ok(!s.dialog, `no dialog opened by a stray press: ${s.dialog}`);
}, TABLET);

for (const [device, options, prefix] of [['', TABLET, 'ci'], ['on a phone, ', PHONE, 'phone']]) {
  consoleTest(world, `${device}a swipe scrolls a list of 30 tokens and presses nothing`, async (c) => {
    for (let i = 0; i < 30; ++i) {
      await world.server.createToken('bizco', world.bearer, { label: `${prefix}-${String(i).padStart(2, '0')}` });
    }
    await tapSignIn(c, 'owner', 'bizco');
    await c.tap('tokens.filter');
    await c.page.keyboard.type(`${prefix}-`);
    await c.waitForStatus((s) => s.rows === 30, 'the 30 tokens');
    const before = await c.widgets();
    assert.ok(before['tokens.row.0'], 'the first row shows');
    const start = await c.center('tokens.row.1');
    await swipe(c, start, 0, -300);
    const after = await c.widgets();
    const s = await c.status();
    assert.ok(!after['tokens.row.0'], 'the first row scrolled out of view');
    const shown = Object.keys(after).filter((k) => /^tokens\.row\.\d+$/.test(k)).map((k) => Number(k.split('.')[2]));
    assert.ok(Math.min(...shown) >= 2, `rows further down show: ${shown}`);
    assert.ok(!s.dialog && !s.menu, `the swipe pressed nothing: dialog ${s.dialog}, menu ${s.menu}`);
    assert.ok(!after['details.close'], 'no token details opened');
    // And back: a swipe down brings the first row again.
    await swipe(c, await c.center(`tokens.row.${Math.min(...shown)}`), 0, 400);
    assert.ok((await c.widgets())['tokens.row.0'], 'the first row shows again');
  }, options);
}

consoleTest(world, 'a long press on a row opens its menu, as a right-click does', async (c) => {
  await world.server.createToken('acme', world.bearer, { label: 'held' });
  await tapSignIn(c);
  await longPress(c, 'tokens.row.0.label');
  await c.waitForStatus((s) => s.menu === 'Active', 'the row menu after a long press');
  const w = await c.widgets();
  assert.ok(w['row.deactivate'], 'the menu offers Deactivate');
  assert.ok(!w['details.close'], 'the long press did not also open the details');
}, TABLET);

consoleTest(world, 'a right-click on a row opens its menu', async (c) => {
  await world.server.createToken('acme', world.bearer, { label: 'clicked' });
  await c.signIn('owner', { org: 'acme' });
  const { x, y } = await c.center('tokens.row.0.label');
  await c.page.mouse.move(x, y);
  await c.waitFrames(1);
  await c.page.mouse.click(x, y, { button: 'right' });
  await c.waitForStatus((s) => s.menu === 'Active', 'the row menu after a right-click');
  assert.ok(!(await c.widgets())['details.close'], 'the right-click did not open the details');
});

consoleTest(world, 'on a phone: sign in, find a leaked token and deactivate it, then the account menu', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'leaked-on-phone' });
  await c.waitForWidget('signin.username');
  await c.shot('phone-signin');
  await tapSignIn(c);
  // The narrow layout: nothing of the top bar lies on anything else, and the account menu
  // stands for the person, the theme and sign out.
  const w = await c.widgets();
  assert.ok(w['topbar.account'] && !w['topbar.signout'] && !w['topbar.theme'], 'the account menu, closed');
  assert.ok(w['topbar.org'].x + w['topbar.org'].w <= w['topbar.account'].x, 'the organization left of the account menu');
  assert.ok(w['tokens.filter'].w >= 390 - 2 * 16 - 1, `the filter spans the screen: ${w['tokens.filter'].w}`);
  await c.tap('tokens.filter');
  await c.page.keyboard.type('leaked-on');
  await c.waitForStatus((s) => s.rows === 1 && s['tokens.row.0.label'] === 'leaked-on-phone', 'the leaked token');
  await c.shot('phone-tokens');
  await c.tap('tokens.row.0.menu');
  await c.waitForWidget('row.deactivate');
  await c.shot('phone-menu');
  await c.tap('row.deactivate');
  await c.waitForStatus((s) => s['tokens.row.0.state'] === 'Inactive' && s.pending === 0, 'the row Inactive');
  assert.equal((await world.server.token('acme', t.id, world.bearer)).body.is_active, false, 'inactive in the API');

  const theme = (await c.status()).theme;
  await c.tap('topbar.account');
  await c.waitForWidget('topbar.theme');
  await c.tap('topbar.theme');
  await c.waitForStatus((s, was) => s.theme !== was, 'the other theme', { arg: theme });
  await c.tap('topbar.account');
  await c.waitForWidget('topbar.signout');
  await c.tap('topbar.signout');
  await c.waitForStatus((s) => s.screen === 'signin', 'signed out');
}, PHONE);

consoleTest(world, 'on a phone, a dialog takes the whole screen', async (c) => {
  await tapSignIn(c);
  await c.tap('tokens.generate');
  await c.waitForStatus((s) => s.dialog === 'generate', 'the generate dialog');
  await c.waitForWidget('generate.label');
  await c.waitFrames(3);
  const box = await c.page.getByRole('dialog').evaluate(() => {
    const r = document.querySelector('[role=dialog]');
    return r ? { ok: true } : null;
  });
  assert.ok(box, 'the dialog is on the page');
  const w = await c.widgets();
  assert.ok(w['generate.close'].x + w['generate.close'].w > 390 - 40, `the close button at the right edge: ${JSON.stringify(w['generate.close'])}`);
  assert.ok(w['generate.label'].w >= 390 - 2 * 24 - 1, `the label field spans the screen: ${w['generate.label'].w}`);
  // An option's words that do not fit beside its label go under it, whole and inside the screen.
  for (const name of ['generate.public.hint', 'generate.all.hint']) {
    const hint = w[name];
    assert.ok(hint && hint.x + hint.w <= 390 - 24 + 1, `${name} inside the screen: ${JSON.stringify(hint)}`);
    assert.ok(hint.y > w[name.replace(/\.hint$/, '')].y, `${name} under its label: ${JSON.stringify(hint)}`);
  }
  await c.shot('phone-generate');

  // The allowed addresses' hint wraps inside its field (it was cut at the field's edge): swiped
  // into view above the dialog's buttons, the field's second line holds the hint's ink.
  await swipe(c, await c.center('generate.public.hint'), 0, -500);
  await waitFor(async () => {
    const v = await c.widgets();
    const f = v['generate.addresses'];
    return f && f.y + f.h < v['generate.submit'].y;
  }, 'the allowed addresses above the buttons');
  // The field's lower half, inside its border: below a hint on one line (three lines high).
  await inkOver(c, async () => {
    const f = (await c.widgets())['generate.addresses'];
    return { x: f.x + 4, y: f.y + f.h / 2, w: f.w - 8, h: f.h / 2 - 4 };
  }, 30, "the hint's second line");
  await swipe(c, await c.center('generate.addresses'), 0, 500);

  // The scopes of "All acme repositories" in as many columns as the screen holds: none on another.
  await c.tap('generate.all');
  await c.waitForWidget('generate.all.scope.scope-image-push');
  await c.waitFrames(3);
  const boxes = Object.entries(await c.widgets()).filter(([k]) => k.startsWith('generate.all.scope.')).map(([, r]) => r);
  assert.ok(boxes.length >= 10, `the scopes: ${boxes.length}`);
  for (let i = 0; i < boxes.length; ++i) {
    const a = boxes[i];
    assert.ok(a.x + a.w <= 390, `inside the screen: ${JSON.stringify(a)}`);
    for (let j = i + 1; j < boxes.length; ++j) {
      const b = boxes[j];
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      assert.ok(apart, `two scopes overlap: ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
    }
  }
  await c.shot('phone-scopes');
}, PHONE);

consoleTest(world, 'on a phone the tokens are cards: label, status, last used, expiry and actions', async (c) => {
  const used = await world.server.createToken('acme', world.bearer, { label: 'card-used' });
  await registrySignIn(world.server, 'acme', used.token);
  // The last use is recorded after the answer: the list the console loads is to have it.
  await waitFor(async () => (await world.server.token('acme', used.id, world.bearer)).body.last_used_at,
    'last_used_at in the API');
  const expiry = Date.now() + 40 * 86400e3;
  await world.server.createToken('acme', world.bearer, { label: 'card-expiring', expires_at: rfc3339(expiry) });
  await tapSignIn(c);
  const { page } = c;
  // A list of cards, not a table whose columns a phone would hide.
  assert.equal(await page.getByRole('table').count(), 0, 'no table on a phone');
  const list = page.getByRole('list', { name: 'Access tokens' });
  await list.waitFor({ state: 'attached' });
  const usedCard = list.getByRole('listitem', { name: 'card-used' });
  const expiringCard = list.getByRole('listitem', { name: 'card-expiring' });
  await expiringCard.waitFor({ state: 'attached' });
  const said = async (card) => (await card.evaluate((el) => el.innerText || el.textContent)).replace(/\s+/g, ' ');
  // A card's parts may come a frame after the card (the page gets a few dozen new elements a frame).
  const usedText = await waitFor(async () => {
    const text = await said(usedCard);
    return /Expires/.test(text) && /Expires/.test(await said(expiringCard)) && text;
  }, 'the cards\' parts');
  assert.match(usedText, /card-used/);
  assert.match(usedText, /Active/);
  assert.match(usedText, /Last used/);
  assert.doesNotMatch(usedText, /Last used Never/, `used: ${usedText}`);
  assert.match(usedText, /Expires Never/);
  const date = new Date(expiry).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
  assert.match(await said(expiringCard), new RegExp(`Last used Never Expires ${date}`), 'the expiry date');
  assert.equal(await usedCard.getByRole('button', { name: 'Actions for card-used' }).count(), 1, 'the card\'s actions');

  // Each card in the screen's width, none on another.
  const w = await c.widgets();
  const cards = Object.keys(w).filter((k) => /^tokens\.row\.\d+$/.test(k)).map((k) => w[k]).sort((a, b) => a.y - b.y);
  assert.ok(cards.length >= 2, `cards: ${JSON.stringify(cards)}`);
  for (const card of cards) assert.ok(card.x >= 16 - 0.5 && card.x + card.w <= 390 - 16 + 0.5, `in the screen: ${JSON.stringify(card)}`);
  for (let i = 1; i < cards.length; ++i) assert.ok(cards[i].y >= cards[i - 1].y + cards[i - 1].h, 'one under another');
  // Everything a card says is inside it.
  for (const part of ['label', 'status', 'last_used', 'expires', 'menu']) {
    const r = w[`tokens.row.0.${part}`];
    assert.ok(r && r.x >= cards[0].x && r.x + r.w <= cards[0].x + cards[0].w + 0.5 && r.y >= cards[0].y &&
      r.y + r.h <= cards[0].y + cards[0].h + 0.5, `${part} inside its card: ${JSON.stringify(r)} in ${JSON.stringify(cards[0])}`);
  }
  await c.shot('phone-cards');

  // A tap on a card opens its details, whose buttons are all on the screen, none on another.
  await c.tap('tokens.row.0.last_used');
  await c.waitForWidget('details.close');
  await c.waitForWidget('details.delete');
  await c.waitFrames(3);
  const d = await c.widgets();
  const buttons = ['details.edit', 'details.rotate', 'details.deactivate', 'details.delete'].map((k) => [k, d[k]]);
  for (const [k, r] of buttons) assert.ok(r && r.x >= 0 && r.x + r.w <= 390, `${k} inside the screen: ${JSON.stringify(r)}`);
  for (let i = 1; i < buttons.length; ++i) {
    assert.ok(buttons[i - 1][1].x + buttons[i - 1][1].w <= buttons[i][1].x, `${buttons[i - 1][0]} before ${buttons[i][0]}`);
  }
  await c.shot('phone-details');
}, PHONE);

consoleTest(world, 'on a phone, the field typed in stays above the on-screen keyboard', async (c) => {
  await tapSignIn(c);
  await c.tap('tokens.generate');
  await c.waitForWidget('generate.addresses');
  // The description field first (near the top), then the allowed addresses (near the bottom).
  for (const [name, typed] of [['generate.description', 'runs in CI'], ['generate.addresses', '192.0.2.0/24']]) {
    await c.page.setViewportSize(PHONE.viewport);
    await c.waitFrames(3);
    await c.tap(name);
    await c.waitFrames(2);
    // The keyboard takes the lower half of the screen: the page gets shorter
    // (interactive-widget=resizes-content, shell/index.html).
    const height = 380;
    await c.page.setViewportSize({ width: 390, height });
    await c.waitFrames(4);
    const field = (await c.widgets())[name];
    assert.ok(field && field.y >= 0 && field.y + field.h <= height,
      `${name} shows above the keyboard: ${JSON.stringify(field)} in 390x${height}`);
    // And its element is the one typed in, where the field is drawn.
    await c.page.keyboard.type(typed);
    const box = await c.page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      return { y: r.y, h: r.height, value: document.activeElement.value };
    });
    assert.ok(box.value.endsWith(typed), `typed into the field: ${box.value}`);
    assert.ok(Math.abs(box.y - field.y) <= 2 && box.y + box.h <= height, `the element is over the field: ${JSON.stringify(box)}`);
  }
  await c.shot('phone-keyboard');
}, PHONE);
