// The console to the browser beyond its pixels (web/src/semantics.h): elements with roles and
// names over the canvas, driven here only by role and name (getByRole, getByLabel), as a screen
// reader or a password manager finds them; text typed through the page's own text elements
// (input methods, a character picker, insertText); the live region.
import assert from 'node:assert/strict';
import { consoleTest, password, useConsole, waitFor } from './harness.mjs';

const world = useConsole(import.meta.url);

consoleTest(world, 'the sign-in is a form with the fields password managers fill', async (c) => {
  await c.waitForWidget('signin.username');
  const form = c.page.locator('form');
  await form.waitFor({ state: 'attached' });
  assert.equal(await form.count(), 1, 'one form');
  assert.equal(await form.getAttribute('aria-label'), 'Sign in');
  const user = form.locator('input[autocomplete="username"]');
  const secret = form.locator('input[type="password"][autocomplete="current-password"]');
  assert.equal(await user.count(), 1, 'a username field in the form');
  assert.equal(await secret.count(), 1, 'a password field in the form');
  assert.equal(await form.locator('button[type="submit"]').textContent(), 'Sign in');
});

// A password manager fills both fields at once, as the page loads: in the frame right after
// the console has put its keyboard focus on the username field itself (Dear ImGui's own editing
// of it, begun a frame after the page's element took the focus), the username typed in the
// page, then the password.
const FILL_AS_THE_CONSOLE_FOCUSES = (secret) => {
  let filled = false;
  let status;
  Object.defineProperty(window, '__oat_status', {
    configurable: true,
    get: () => status,
    set: (value) => {
      status = value;
      if (filled || value?.focus !== 'signin.username') return;
      filled = true;
      queueMicrotask(() => {  // after this frame, before the next
        const user = document.querySelector('input[autocomplete="username"]');
        const pass = document.querySelector('input[autocomplete="current-password"]');
        user.focus();
        user.value = 'owner';
        user.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText' }));
        pass.focus();
        pass.value = secret;
        pass.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText' }));
        window.__filled_at = window.__oat_frames;
      });
    },
  });
};

consoleTest(world, 'both fields filled at once as the console focuses the username are both kept', async (c) => {
  await c.page.addInitScript(FILL_AS_THE_CONSOLE_FOCUSES, password('owner'));
  await c.goto();
  await c.page.waitForFunction(() => window.__filled_at !== undefined, null, { polling: 'raf' });
  await c.settle();
  await c.page.getByRole('button', { name: 'Sign in' }).click();
  await c.waitForStatus((s) => s.screen === 'tokens' || s.errors?.['signin.error'], 'signed in, or an error');
  assert.deepEqual((await c.status()).errors ?? {}, {}, 'no error');
  assert.equal((await c.status()).screen, 'tokens');
});

consoleTest(world, 'sign in, open Activity and come back, by role and name only', async (c) => {
  await c.signInByRole();
  const activity = c.page.getByRole('link', { name: 'Activity' });
  assert.equal(await activity.getAttribute('href'), '#/orgs/acme/activity');
  await activity.click();
  await c.waitForStatus((s) => s.screen === 'activity', 'the activity page');
  await c.page.getByRole('link', { name: 'Access tokens' }).click();
  await c.waitForStatus((s) => s.screen === 'tokens', 'the tokens page');
});

consoleTest(world, 'a token\'s label is text of the page: found, selected, a link to its details', async (c) => {
  const t = await world.server.createToken('acme', world.bearer, { label: 'findable-label' });
  await c.signInByRole();
  await c.page.getByText('findable-label', { exact: true }).first().waitFor();
  assert.ok((await c.page.evaluate(() => document.body.innerText)).includes('findable-label'),
    'find-in-page sees the label');
  const link = c.page.getByRole('link', { name: 'findable-label' });
  assert.equal(await link.getAttribute('href'), `#/orgs/acme/tokens/${t.id}`);
  await link.click();
  await c.waitForWidget('details.close');
  assert.equal(await c.page.evaluate(() => window.location.hash), `#/orgs/acme/tokens/${t.id}`);
});

consoleTest(world, 'a click no pointer made (a screen reader\'s) presses the button; the dialog is modal', async (c) => {
  await c.signInByRole();
  await c.page.getByRole('button', { name: 'Generate token' }).evaluate((el) => el.click());
  await c.waitForStatus((s) => s.dialog === 'generate', 'the generate dialog');
  const dialog = c.page.getByRole('dialog', { name: 'Generate an access token' });
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  // The label field is in the dialog, and typing there reaches the console.
  await dialog.getByRole('textbox').first().fill('typed-in-the-page');
  await c.page.waitForFunction(() => window.__oat_widgets?.['generate.label']?.text === 'typed-in-the-page', null,
    { timeout: 5000, polling: 'raf' });
});

consoleTest(world, 'an input method\'s composition and a character picker\'s text arrive whole', async (c) => {
  await c.signInByRole();
  await c.page.getByRole('button', { name: 'Generate token' }).click();
  await c.waitForWidget('generate.label');
  const field = c.page.getByRole('dialog').getByRole('textbox').first();
  await field.click();
  const cdp = await c.context.newCDPSession(c.page);
  // Typing とうきょう with an input method, then choosing 東京.
  await cdp.send('Input.imeSetComposition', { text: 'とうきょう', selectionStart: 5, selectionEnd: 5 });
  await c.waitFrames(2);
  await cdp.send('Input.insertText', { text: '東京' });
  await cdp.send('Input.insertText', { text: ' ✓' });
  await c.page.waitForFunction(() => window.__oat_widgets?.['generate.label']?.text === '東京 ✓', null,
    { timeout: 5000, polling: 'raf' }).catch(async () => {
    throw new Error(`the label shows ${JSON.stringify((await c.widgets())['generate.label']?.text)}`);
  });
  // Backspace edits the page's field (the console's keyboard layer no longer takes it).
  await c.page.keyboard.press('Backspace');
  await c.page.waitForFunction(() => window.__oat_widgets?.['generate.label']?.text === '東京 ', null,
    { timeout: 5000, polling: 'raf' });
});

consoleTest(world, 'the Enter that picks an input method\'s word does not submit; the next one does', async (c) => {
  await c.page.getByLabel('Password').fill(password('owner'));
  await c.page.getByRole('textbox', { name: 'Username' }).click();
  const cdp = await c.context.newCDPSession(c.page);
  await cdp.send('Input.imeSetComposition', { text: 'owner', selectionStart: 5, selectionEnd: 5 });
  await c.waitFrames(2);
  // Enter while composing is the input method's (the page marks it isComposing): it takes the word.
  for (const type of ['keyDown', 'keyUp']) {
    await cdp.send('Input.dispatchKeyEvent', { type, key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 });
  }
  await cdp.send('Input.insertText', { text: 'owner' });
  await c.waitFrames(10);
  const s = await c.status();
  assert.equal(s.screen, 'signin', 'still signing in');
  assert.equal(s.pending, 0, 'nothing sent');
  await c.page.keyboard.press('Enter');
  await c.waitForStatus((st) => st.screen === 'tokens' && st.org === 'acme', 'signed in by the next Enter');
});

const PHONE = { viewport: { width: 390, height: 844 }, touch: true };
for (const [device, options, roles] of [['', {}, ['table', 'row', 1]], ['on a phone, ', PHONE, ['list', 'listitem', 0]]]) {
  const [whole, part, header] = roles;
  consoleTest(world, `${device}every row of a long list is on the page: a scroll makes no element; a focused row comes into view`, async (c) => {
    const prefix = device ? 'phone' : 'long';
    for (let i = 0; i < 40; ++i) await world.server.createToken('bizco', world.bearer, { label: `${prefix}-${String(i).padStart(2, '0')}` });
    const total = (await world.server.tokens('bizco', world.bearer)).length;  // the other device's too
    await c.signIn('owner', { org: 'bizco' });
    const { page } = c;
    const screen = page.viewportSize().height;
    const list = page.getByRole(whole, { name: 'Access tokens' });
    const rows = list.getByRole(part);
    // The rows scrolled out too (the page gets them a few a frame), each with its cells.
    await waitFor(async () => (await rows.count()) === total + header, `a row for each of the ${total} tokens`);
    const names = await rows.evaluateAll((all) => all.map((r) => r.getAttribute('aria-label')));
    const [first, last] = [names[header], names[total - 1 + header]];
    const lastRow = list.getByRole(part, { name: last });
    await waitFor(async () => /Never/.test(await lastRow.textContent()), 'the last row\'s cells');
    assert.ok((await lastRow.boundingBox()).y > screen, 'the last row is below the screen');
    // Made a few a frame, each put after the one before it: the page reads the rows, and a row's
    // cells, in the order the screen shows them.
    const outOfOrder = await list.evaluate((el, part) => {
      // A cell around a control is where the control is.
      const at = (e) => (e.firstElementChild || e).getBoundingClientRect();
      const after = (a, b, axis) => at(a)[axis] > at(b)[axis];
      const wrong = [];
      const all = [...el.querySelectorAll(`[role=${part}]`)];
      all.forEach((row, i) => {
        if (i > 0 && !after(row, all[i - 1], 'y')) wrong.push(`${row.getAttribute('aria-label')} read after ${all[i - 1].getAttribute('aria-label')}`);
        const cells = [...row.querySelectorAll('[role=cell], [role=columnheader]')];
        cells.forEach((cell, k) => {
          if (k > 0 && !after(cell, cells[k - 1], 'x')) wrong.push(`in ${row.getAttribute('aria-label')}: ${cell.textContent} read after ${cells[k - 1].textContent}`);
        });
      });
      return wrong;
    }, part);
    assert.deepEqual(outOfOrder, [], 'read in the order shown');

    // A scroll makes no element, and changes the list's element alone: the rows stand in it as
    // with no scroll (the table's header row stays on the screen, so it moves in the table), and
    // the items of a row at the list's edge stay whole, neither cut nor marked as scrolled out:
    // the list's clip keeps the pointer off what is scrolled out.
    const all = () => [...document.querySelectorAll('#oat-semantics *')];
    // (The cursor is the element's under the pointer: the rows moving under it move it too.)
    const look = (e) => `${e.style.cssText.replace(/ ?cursor: [^;]*;/, '')} ${e.classList.contains('oat-clipped')}`;
    await page.evaluate(([all, look]) => eval(all)().forEach((e) => { e.oatBefore = true; e.oatStyle = eval(look)(e); }),
      [`${all}`, `${look}`]);
    await page.mouse.move(page.viewportSize().width / 2, screen * 0.6);
    const inScreen = (box) => box && box.y > 0 && box.y + box.height <= screen;
    const moves = [];
    for (let k = 0; k < 100 && !inScreen(await lastRow.boundingBox()); ++k) {
      await page.mouse.wheel(0, 400);
      await c.waitFrames(2);
      moves.push(await page.evaluate(([all, look]) => eval(all)().filter((e) => {
        const moved = e.oatStyle !== undefined && e.oatStyle !== eval(look)(e);
        e.oatStyle = eval(look)(e);
        return moved;
      }).map((e) => e.getAttribute('role') || e.tagName), [`${all}`, `${look}`]));
    }
    await c.waitFrames(3);
    const made = await page.evaluate((all) => eval(all)().filter((e) => !e.oatBefore).map((e) => e.outerHTML.slice(0, 100)), `${all}`);
    assert.deepEqual(made, [], 'no element made by the scroll');
    assert.ok(moves.length >= 2 && moves.some((m) => m.includes(whole)), `the ${whole} moved: ${JSON.stringify(moves)}`);
    for (const m of moves) {
      assert.ok(m.filter((role) => role === part).length <= header && m.every((role) => role === part || role === whole),
        `a scroll step changed ${JSON.stringify(m)}`);
    }
    const shown = await lastRow.boundingBox();
    assert.ok(inScreen(shown), `the last row scrolled into the screen: ${JSON.stringify(shown)}`);

    // A row scrolled out of the list's window but still on the screen, under the top bar, is not
    // where the pointer goes (a click there would follow its link).
    const under = await page.evaluate((part) => [...document.querySelectorAll(`#oat-semantics [role=${part}] a`)]
      .map((a) => {
        const b = a.getBoundingClientRect();
        const [x, y] = [b.x + b.width / 2, b.y + b.height / 2];
        return { label: a.textContent, y, row: !!document.elementFromPoint(x, y)?.closest(`[role=${part}]`) };
      }).filter((u) => u.y > 0 && u.y < 40), part);
    assert.ok(under.length > 0, 'a row scrolled out lies under the top bar');
    assert.deepEqual(under.filter((u) => u.row), [], 'the pointer there reaches the top bar, not a row');

    // The page's focus on a row scrolled out (a screen reader, Tab): the list brings it into view.
    const firstLink = list.getByRole('link', { name: first });
    assert.ok((await firstLink.boundingBox()).y < 0, 'the first row is above the screen');
    await firstLink.focus();
    await waitFor(async () => {
      const box = await firstLink.boundingBox();
      return box && box.y > 100 && box.y + box.height <= screen;
    }, 'the focused row in view');
  }, { hash: '#/orgs/bizco/tokens', ...options });
}

consoleTest(world, 'the console\'s cursor is on the element under the pointer alone, so a change of cursor restyles no other', async (c) => {
  await c.signInByRole();
  // The elements over the canvas whose cursor is not the arrow, by their words.
  const notArrow = () => c.page.evaluate(() => [...document.querySelectorAll('#oat-semantics *')]
    .filter((e) => getComputedStyle(e).cursor !== 'default').map((e) => e.textContent.trim()));
  const button = c.page.getByRole('button', { name: 'Generate token' });
  await button.hover();
  await waitFor(async () => (await button.evaluate((e) => getComputedStyle(e).cursor)) === 'pointer',
    'the hand over the button');
  assert.deepEqual(await notArrow(), ['Generate token']);
  // Off every element, over the canvas alone: the hand is gone from the button too.
  const box = await button.boundingBox();
  await c.page.mouse.move(box.x - 40, box.y + box.height + 40);
  await waitFor(async () => (await c.page.evaluate(() => getComputedStyle(Module.canvas).cursor)) === 'default',
    'the arrow over the canvas');
  assert.deepEqual(await notArrow(), []);
});

consoleTest(world, 'the live region says what the toast says', async (c) => {
  await world.server.createToken('acme', world.bearer, { label: 'to-deactivate' });
  await c.signInByRole();
  await c.page.getByRole('button', { name: 'Actions for to-deactivate' }).click();
  await c.page.getByRole('menuitem', { name: 'Deactivate' }).click();
  const live = c.page.getByRole('status').filter({ hasText: 'to-deactivate' });
  await live.waitFor({ state: 'attached' });
  assert.match(await live.textContent(), /to-deactivate/);
});
