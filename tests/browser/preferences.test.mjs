// The system's preferences (issue 20, item 5). The theme follows prefers-color-scheme, at the
// start and live, until the owner picks one with the toggle; the pick is saved ("oat.theme") and
// wins from then on, over later changes of the system and across a reload; the splash, drawn
// before the program runs, agrees. With prefers-reduced-motion: reduce nothing moves by itself:
// the splash's bar neither eases nor slides, a spinner stands still, a dialog dims the page
// behind it at once instead of fading the dimming in.
//
// The theme is read three ways that must agree: the canvas's pixels (what the console drew),
// <html data-theme> (what the page's own CSS and the splash use) and __oat_status.theme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Console, WAIT_MS, consoleTest, password, sleep, slug, useConsole, waitFor, withShots } from './harness.mjs';

const world = useConsole(import.meta.url);

// The program's glue, as the loader asks for it (named by its content).
const GLUE_RE = /\/oat_console\.[0-9a-f]{12}\.js$/;
// The splash's background (shell/style.css --bg) in each theme, as getComputedStyle says it.
const SPLASH_BG = { dark: 'rgb(14, 17, 22)', light: 'rgb(244, 245, 247)' };
// How long a change the console should follow at once may take to show.
const FOLLOW_MS = 5000;

/** The colour of the CSS pixel at X, Y as the page shows it: [r, g, b]. */
async function pixel(c, x, y) {
  const png = await c.page.screenshot({ clip: { x, y, width: 1, height: 1 } });
  return c.page.evaluate(async (data) => {
    const blob = await (await fetch(`data:image/png;base64,${data}`)).blob();
    const image = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(1, 1);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
  }, png.toString('base64'));
}

/**
 * The theme as drawn (the window's top-left corner: the page's background or the top bar, near
 * white in the light theme and near black in the dark one), as the page's CSS has it, and as
 * the test hook says.
 */
async function themeNow(c) {
  const [r, g, b] = await pixel(c, 3, 3);
  const drawn = 0.2126 * r + 0.7152 * g + 0.0722 * b > 128 ? 'light' : 'dark';
  const { page, status } = await c.page.evaluate(() => ({
    page: document.documentElement.getAttribute('data-theme'),
    status: (window.__oat_status || {}).theme,
  }));
  return { drawn, page, status };
}

/** Waits (up to TIMEOUT) until the console draws WANT and says so everywhere; WHY names the moment. */
async function expectTheme(c, want, why, { timeout = FOLLOW_MS } = {}) {
  let seen;
  try {
    await waitFor(async () => {
      seen = await themeNow(c);
      return seen.drawn === want && seen.page === want && seen.status === want;
    }, why, { timeout, interval: 50 });
  } catch {
    assert.fail(`${why}: the ${want} theme everywhere, but drawn ${seen.drawn}, <html data-theme> ` +
      `${seen.page}, __oat_status.theme ${seen.status}`);
  }
}

/** The theme the owner saved, or null. */
function saved(c) {
  return c.page.evaluate(() => window.localStorage.getItem('oat.theme'));
}

/**
 * A console page in a context with these media OPTIONS whose program is held back at each
 * load until its `start()`: until then the splash is all there is. `load()` opens (or
 * `reload()` reloads) the page and resolves once the loader has run; `start()` lets the program
 * come and waits for its first frames.
 */
async function heldConsole(name, options) {
  const context = await world.browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const page = await context.newPage();
  const c = new Console(world, context, page, `${world.file}.${slug(name)}`);
  c.base = `${world.server.url}/`;
  let release = () => {};
  let held = Promise.resolve();
  await page.route(GLUE_RE, async (route) => {
    await held;
    await route.continue();
  });
  let started;
  const hold = async (go) => {
    held = new Promise((r) => { release = r; });
    await page.evaluate(() => { window.__left = true; });  // this document, not the next
    started = go();
    started.catch(() => {});
    // The new document's loader has decided the theme and set up the program's start.
    await page.waitForFunction(() => !window.__left && window.Module !== undefined, null, { timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => window.__oat_frames), undefined, 'the program has not run yet');
  };
  c.load = () => hold(() => c.goto());
  c.reloadHeld = () => hold(() => c.reload());
  c.start = async () => {
    release();
    await started;
  };
  c.splash = () => page.evaluate(() => ({
    background: getComputedStyle(document.getElementById('splash')).backgroundColor,
    theme: document.documentElement.getAttribute('data-theme'),
  }));
  return c;
}

/** Runs FN(c) on a held console page (heldConsole), with the harness's screenshots. */
async function withHeldConsole(name, options, fn) {
  return withShots(await heldConsole(name, options), fn);
}

// --- The theme --------------------------------------------------------------------------------

test('with nothing saved the first theme is the system\'s, the splash\'s too', async () => {
  for (const scheme of ['light', 'dark']) {
    await withHeldConsole(`first theme ${scheme}`, { colorScheme: scheme }, async (c) => {
      await c.load();
      assert.deepEqual(await c.splash(), { background: SPLASH_BG[scheme], theme: scheme },
        `a ${scheme} system: the splash is ${scheme} before the program runs`);
      await c.start();
      await expectTheme(c, scheme, `a ${scheme} system, nothing saved: the console's first frames`);
      assert.equal(await saved(c), null, 'following the system saves nothing');
    });
  }
});

consoleTest(world, 'while the owner has picked none, a change of the system\'s scheme is followed at once', async (c) => {
  await expectTheme(c, 'dark', 'a dark system at the start');
  // No input: the change alone must bring the new theme.
  await c.page.emulateMedia({ colorScheme: 'light' });
  await expectTheme(c, 'light', 'the system turned light');
  await c.page.emulateMedia({ colorScheme: 'dark' });
  await expectTheme(c, 'dark', 'the system turned dark again');
  assert.equal(await saved(c), null, 'a theme that follows the system is not saved as a pick');

  // Signed in too (the top bar's palette).
  await c.signIn('owner', { org: 'acme' });
  await c.page.emulateMedia({ colorScheme: 'light' });
  await expectTheme(c, 'light', 'the system turned light on the tokens page');
  await c.shot('followed-light');
  assert.equal(await saved(c), null);
}, { colorScheme: 'dark' });

test('once the owner picks a theme it is saved and wins over the system, also after a reload', async () => {
  await withHeldConsole('the owner picks', { colorScheme: 'light' }, async (c) => {
    await c.load();
    await c.start();
    await expectTheme(c, 'light', 'a light system, nothing saved');

    await c.click('topbar.theme');
    await c.page.mouse.move(700, 890);  // off the toggle: its hover is no part of the check
    await expectTheme(c, 'dark', 'the owner picked dark with the toggle');
    assert.equal(await saved(c), 'dark', 'the pick is saved');

    // The system changes both ways: the console stays with the pick.
    for (const scheme of ['dark', 'light']) {
      await c.page.emulateMedia({ colorScheme: scheme });
      await c.waitFrames(3);
      await sleep(300);
      assert.deepEqual(await themeNow(c), { drawn: 'dark', page: 'dark', status: 'dark' },
        `the system turned ${scheme}: the owner's dark stays`);
    }

    // A reload in a light system: the splash and the console keep the pick.
    await c.reloadHeld();
    assert.deepEqual(await c.splash(), { background: SPLASH_BG.dark, theme: 'dark' },
      'after a reload the splash shows the pick');
    await c.start();
    await expectTheme(c, 'dark', 'after a reload in a light system');
    assert.equal(await saved(c), 'dark');

    // Picked from the top bar, signed in, back to light: saved, and a dark system is not followed.
    await c.signIn('owner', { org: 'acme' });
    await c.click('topbar.theme');
    await c.page.mouse.move(700, 890);
    await expectTheme(c, 'light', 'the owner picked light in the top bar');
    assert.equal(await saved(c), 'light');
    await c.page.emulateMedia({ colorScheme: 'dark' });
    await c.waitFrames(3);
    await sleep(300);
    assert.deepEqual(await themeNow(c), { drawn: 'light', page: 'light', status: 'light' },
      'the system turned dark: the owner\'s light stays');
  });
});

// --- Motion -----------------------------------------------------------------------------------

/**
 * What moves in the splash: each of its elements' transitions and animations that last, plus an
 * indeterminate bar (the loader's state when a download's size is unknown, which no test
 * download reaches: a copy of the bar in that state, styled by the same sheet).
 */
function splashMotion(c) {
  return c.page.evaluate(() => {
    const probe = document.querySelector('#splash .bar').cloneNode(true);
    probe.classList.add('indeterminate');
    probe.style.position = 'fixed';
    probe.style.visibility = 'hidden';
    document.body.appendChild(probe);
    const moving = [];
    const elements = [...document.querySelectorAll('#splash, #splash *'), probe, probe.firstElementChild];
    for (const el of elements) {
      const style = getComputedStyle(el);
      const lasts = (list) => list.split(',').some((d) => parseFloat(d) > 0);
      const what = `${el === probe || el.parentElement === probe ? 'indeterminate ' : ''}${el.className || el.id}`;
      if (lasts(style.transitionDuration)) moving.push(`${what}: transition ${style.transitionProperty} ${style.transitionDuration}`);
      if (style.animationName !== 'none' && lasts(style.animationDuration)) moving.push(`${what}: animation ${style.animationName}`);
    }
    probe.remove();
    return moving;
  });
}

test('with reduced motion the splash\'s bar neither eases nor slides', async () => {
  // The same page without the preference: the bar eases and, size unknown, slides.
  await withHeldConsole('splash motion', { reducedMotion: 'no-preference' }, async (c) => {
    await c.load();
    const moving = await splashMotion(c);
    assert.ok(moving.some((m) => m.startsWith('bar-fill: transition')), `the bar eases: ${moving}`);
    assert.ok(moving.some((m) => m.startsWith('indeterminate bar-fill: animation')), `and slides: ${moving}`);
    await c.start();
  });
  await withHeldConsole('splash still', { reducedMotion: 'reduce' }, async (c) => {
    await c.load();
    assert.deepEqual(await splashMotion(c), [], 'nothing in the splash moves');
    await c.start();
    // The splash goes with the first frame, at once.
    assert.equal(await c.page.evaluate(() => getComputedStyle(document.getElementById('splash')).opacity), '0');
  });
});

/** Two pictures of RECT 400 ms apart (frames drawn meanwhile): whether they are the same. */
async function standsStill(c, rect) {
  const clip = { x: rect.x, y: rect.y, width: rect.w, height: rect.h };
  const first = await c.page.screenshot({ clip });
  await c.waitFrames(2);
  await sleep(400);
  const second = await c.page.screenshot({ clip });
  return first.equals(second);
}

consoleTest(world, 'with reduced motion a spinner stands still, and turns again once the system allows', async (c) => {
  // The sign-in is held on its way, so the button shows "Signing in…" and its spinner.
  let release;
  const held = new Promise((r) => { release = r; });
  await c.page.route((url) => url.pathname === '/v2/auth/token', async (route) => {
    await held;
    await route.continue();
  });
  await c.submitSignIn('owner', password('owner'));
  await c.waitForStatus((s) => s.pending > 0, 'the sign-in on its way');
  const button = await c.waitForWidget('signin.submit');
  const spinner = { x: button.x + 10, y: button.y + 8, w: 28, h: 26 };  // where views/sign_in.cpp draws it
  await c.waitFrames(2);
  assert.equal(await standsStill(c, spinner), true, 'the spinner does not move');
  await c.shot('spinner-still');

  // The system allows motion again: followed without input.
  await c.page.emulateMedia({ reducedMotion: 'no-preference' });
  await c.waitFrames(2);
  assert.equal(await standsStill(c, spinner), false, 'the spinner turns');

  release();
  await c.waitForStatus((s) => s.screen === 'tokens' && s.pending === 0, 'signed in');
}, { reducedMotion: 'reduce' });

/**
 * In the page, before the console starts: while window.__sampling is set, each frame the console
 * draws adds to window.__samples the canvas's pixel at SPOT (CSS pixels at a ratio of 1) and
 * which dialog is open. The test hook publishes __oat_status just after drawing, so the drawing
 * buffer still holds that very frame.
 */
const SAMPLE_DRAWN_FRAMES = (spot) => {
  let status;
  window.__samples = [];
  const probe = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
  Object.defineProperty(window, '__oat_status', {
    configurable: true,
    get() { return status; },
    set(value) {
      status = value;
      if (!window.__sampling) return;
      probe.drawImage(document.getElementById('canvas'), spot.x, spot.y, 1, 1, 0, 0, 1, 1);
      window.__samples.push({ dialog: value.dialog || '', rgb: Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3)) });
    },
  });
};

test('with reduced motion a dialog dims the page behind it at once, with no shade in between', async () => {
  await withHeldConsole('dialog dims at once', { colorScheme: 'dark', reducedMotion: 'reduce' }, async (c) => {
    // Beside the dialog, below the table: the page's background.
    await c.page.addInitScript(SAMPLE_DRAWN_FRAMES, { x: 40, y: 880 });
    await c.load();
    await c.start();
    await c.signIn('owner', { org: 'acme' });
    // The light theme, where dimming shows most.
    await c.click('topbar.theme');
    await c.page.mouse.move(1430, 890);
    await waitFor(async () => (await themeNow(c)).drawn === 'light', 'the light theme drawn');
    await c.waitFrames(3);

    await c.page.evaluate(() => { window.__sampling = true; });
    await c.click('tokens.generate');
    await c.waitForStatus((s) => s.dialog === 'generate', 'the generate dialog');
    // Long after: the dimming is whole whatever the motion (at the latest a heartbeat frame, a
    // second on, finishes it).
    await sleep(1500);
    await c.waitFrames(2);
    await c.page.mouse.move(1430, 880);  // a frame drawn now
    await c.waitFrames(2);
    await c.shot('dialog-dimmed');
    const samples = await c.page.evaluate(() => window.__samples);
    const before = samples.filter((f) => f.dialog === '').at(-1)?.rgb;
    const shown = samples.filter((f) => f.dialog === 'generate');
    assert.ok(before && shown.length >= 2, `frames drawn before and with the dialog: ${JSON.stringify(samples)}`);
    // Dear ImGui lays out a reappearing popup unseen in its first frame; then the dimming is
    // whole in the frame the dialog shows, where it would fade in over a few frames.
    const close = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 2);
    const settled = shown.at(-1).rgb;
    assert.ok(settled.some((v, i) => Math.abs(v - before[i]) > 40),
      `the page behind is dimmed: ${before} → ${settled}`);
    const between = shown.filter((f) => !close(f.rgb, before) && !close(f.rgb, settled));
    assert.deepEqual(between.map((f) => f.rgb.join(',')), [],
      `no shade between undimmed ${before} and dimmed ${settled}; frame by frame: ` +
      `${shown.map((f) => f.rgb.join(',')).join(' ')}`);
    await c.press('Escape');
  });
});
