// The console's layout as the window narrows: the tokens table sizes its columns by what they
// hold and hides the least important ones first, so labels show whole down to a 720-pixel
// window; the toast never covers the details drawer's buttons.
import assert from 'node:assert/strict';
import { consoleTest, onlyRow, rfc3339, useConsole } from './harness.mjs';

const LABELS = ['Deploy production images', 'Nightly registry cleanup', 'Pull-through cache warmer'];
// The columns the table may hide, most important first (Label and Status always show).
const HIDEABLE = ['expires', 'last_used', 'created_by', 'created'];
const WIDTHS = [1280, 1024, 800, 720];
const HEIGHT = 900;

const world = useConsole(import.meta.url, {
  async setup(w) {
    const { server, bearer } = w;
    await server.createToken('acme', bearer, { label: LABELS[0], expires_at: rfc3339(Date.now() + 60 * 86400e3) });
    for (const label of LABELS.slice(1)) await server.createToken('acme', bearer, { label });
  },
});

/**
 * Makes the window WIDTH pixels wide, and waits until the table's rows span the page's column
 * (as wide as the window less its margins, at most 1200) and the rows' rectangles keep still.
 */
async function resize(c, width) {
  await c.page.setViewportSize({ width, height: HEIGHT });
  const rowWidth = Math.min(1200, width - 64);
  await c.page.waitForFunction((w) => window.__oat_widgets?.['tokens.row.0']?.w === w, rowWidth,
    { polling: 'raf' }).catch(async () => {
    throw new Error(`the table did not follow the window to ${width} px: ${JSON.stringify((await c.widgets())['tokens.row.0'])}`);
  });
  let before = '';
  for (let i = 0; i < 10; ++i) {
    await c.waitFrames(2);
    const now = JSON.stringify(await c.widgets());
    if (now === before) break;
    before = now;
  }
  return c.widgets();
}

/** The hideable columns whose headers show, in HIDEABLE's order. */
function shownColumns(w) {
  return HIDEABLE.filter((name) => w[`tokens.header.${name}`]);
}

consoleTest(world, 'labels show whole down to a 720-pixel window; the least important columns go first', async (c) => {
  const s = await c.signIn('owner', { org: 'acme' });
  assert.equal(s.rows, LABELS.length);
  // In the default 1440-pixel window every column shows, and each label whole: its width then
  // is the label's own.
  let w = await resize(c, 1440);
  assert.deepEqual(shownColumns(w), HIDEABLE, 'every column in a wide window');
  const whole = {};
  for (let i = 0; i < LABELS.length; ++i) whole[s[`tokens.row.${i}.label`]] = w[`tokens.row.${i}.label`].w;

  let wider = HIDEABLE;
  for (const width of WIDTHS) {
    w = await resize(c, width);
    await c.shot(`${width}px`);
    const shown = shownColumns(w);
    for (let i = 0; i < LABELS.length; ++i) {
      const cell = w[`tokens.row.${i}.label`];
      assert.ok(cell.w >= whole[cell.text] - 0.5,
        `${width} px: "${cell.text}" shows whole (${cell.w} of ${whole[cell.text]} px; columns shown: ${shown})`);
    }
    // Hidden from the least important, and never one that showed in a narrower window.
    assert.deepEqual(shown, HIDEABLE.slice(0, shown.length), `${width} px: hidden in order (${shown})`);
    assert.ok(shown.every((name) => wider.includes(name)), `${width} px: ${shown} within ${wider}`);
    assert.ok(w['tokens.header.label'] && w['tokens.header.status'] && w['tokens.row.0.status'],
      `${width} px: Label and Status show`);
    // What a shown cell says fits in its column.
    for (const name of shown.filter((n) => n === 'last_used' || n === 'expires')) {
      const header = w[`tokens.header.${name}`];
      for (let i = 0; i < LABELS.length; ++i) {
        const cell = w[`tokens.row.${i}.${name}`];
        assert.ok(cell.x >= header.x - 0.5 && cell.x + cell.w <= header.x + header.w + 0.5,
          `${width} px: row ${i}'s ${name} "${cell.text}" within its column`);
      }
    }
    wider = shown;
  }
});

/** Whether rectangles A and B overlap. */
function intersects(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Waits for a toast saying TEXT; the widgets then. */
async function toastSaying(c, text) {
  await c.waitForStatus((s, t) => s.toast === t && s.pending === 0, `the toast "${text}"`, { arg: text });
  await c.waitFrames(2);
  return c.widgets();
}

/** The toast covers none of the drawer's buttons, and stays in the window. */
function assertClear(w, width, what) {
  const toast = w.toast;
  assert.ok(toast, `${what}: a toast`);
  assert.ok(toast.x >= 0 && toast.x + toast.w <= width && toast.y + toast.h <= HEIGHT, `${what}: in the window`);
  const buttons = Object.keys(w).filter((n) => /^details\.(close|edit|activate|deactivate|rotate|delete)$/.test(n));
  assert.ok(buttons.length >= 4, `${what}: the drawer's buttons (${buttons})`);
  for (const name of buttons) {
    assert.ok(!intersects(toast, w[name]), `${what}: the toast ${JSON.stringify(toast)} covers ${name} ${JSON.stringify(w[name])}`);
  }
}

// 1024: room for it left of the drawer; 720: none.
for (const width of [1024, 720]) {
  consoleTest(world, `at ${width} px the toast leaves the details drawer's buttons clear`, async (c) => {
    // A token of its own: a failed run may leave it inactive.
    const label = `Deploy staging images (${width})`;
    await world.server.createToken('acme', world.bearer, { label });
    await c.page.setViewportSize({ width, height: HEIGHT });
    await onlyRow(c, label);
    await c.click('tokens.row.0');
    await c.waitForStatus((s) => s.dialog === 'details' && s['details.loading'] === 0 && s.pending === 0,
      'the details drawer, loaded');
    await c.click('details.deactivate');
    let w = await toastSaying(c, `Deactivated \u201C${label}\u201D.`);
    await c.shot('deactivated');
    assertClear(w, width, 'deactivated');
    // Activate is where Deactivate was, the toast still up.
    await c.click('details.activate');
    w = await toastSaying(c, `Activated \u201C${label}\u201D.`);
    assertClear(w, width, 'activated');
  });
}
