// Harness for the console's browser tests (label "browser"): a real oatd serving the built
// console (`oatd serve --console DIR`) on a fresh database, and Debian's Chromium driven by
// playwright-core. Tests act on the page only through the mouse and the keyboard, finding
// widgets through the console's test hook (?test=1, web/src/test_hook.h):
//   window.__oat_widgets  {name: {x, y, w, h}} in CSS pixels
//   window.__oat_status   {screen, pending, loading, org, tokens, rows, ...}
//   window.__oat_frames   frames drawn so far
// They use the management API (docs/api.md) to set the scene and to check outcomes on the
// server's side, never to drive the console. oatd, its requests, processes and waiting come from
// tests/lib/.
//
// Environment (set by tests/browser/CMakeLists.txt):
//   OATD                 the oatd binary (default: build/native/native/oatd)
//   CONSOLE_DIR          the built console (default: build/wasm/web/console)
//   OAT_BROWSER_ARTIFACTS where screenshots go (default: build/native/browser-artifacts)
//   CHROMIUM             the browser (default: /usr/bin/chromium, Debian's; never downloaded)
//   OAT_BROWSER_HEADED=1 show the browser (needs a display)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { OATD, SECRET_RE, password } from '../lib/oatd.mjs';
import { WAIT_MS, waitFor } from '../lib/time.mjs';
import { seed, useWorld } from '../lib/world.mjs';

export { Oatd, admin, password, tokenRequest } from '../lib/oatd.mjs';
export { WAIT_MS, rfc3339, sleep, waitFor } from '../lib/time.mjs';
export { seed } from '../lib/world.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

export const CONSOLE_DIR = resolve(process.env.CONSOLE_DIR || join(repo, 'build/wasm/web/console'));
export const ARTIFACTS = resolve(process.env.OAT_BROWSER_ARTIFACTS || join(repo, 'build/native/browser-artifacts'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// ---------------------------------------------------------------------------------------------
// What must be there: a missing piece fails every test of the file with a message saying what
// to do, never a silent skip.
// ---------------------------------------------------------------------------------------------

function prerequisites() {
  const problems = [];
  for (const f of ['index.html', 'loader.js', 'oat_console.js', 'oat_console.wasm']) {
    if (!existsSync(join(CONSOLE_DIR, f))) {
      problems.push(`the console is not built: ${join(CONSOLE_DIR, f)} is missing ` +
        '(cmake --build build/native, or --target oat_wasm; CONSOLE_DIR names the folder)');
      break;
    }
  }
  if (!existsSync(OATD)) problems.push(`oatd not found at ${OATD} (cmake --build build/native; OATD names it)`);
  if (!existsSync(CHROMIUM)) problems.push(`no browser at ${CHROMIUM}: run scripts/setup (Debian's chromium)`);
  return problems;
}

let playwright;
async function loadPlaywright() {
  if (playwright) return playwright;
  try {
    playwright = await import('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed in ${here}/node_modules: run scripts/setup ` +
      `(npm ci in tests/browser). ${e.message}`);
  }
  return playwright;
}

// ---------------------------------------------------------------------------------------------
// oatd and the world
// ---------------------------------------------------------------------------------------------

/** `oatd serve` arguments that serve the console in DIR (null: the API only), without an access log. */
export function consoleArgs(dir) {
  return [...(dir === null ? [] : ['--console', dir]), '--access-log', 'off'];
}

/**
 * The world most files use:
 *   acme  (Team, quota 10): owner is its owner; repositories app, web, docs (public)
 *   bizco (Business):       owner is its owner; repository bizco/app
 *   member: a plain member of acme (may not manage tokens)
 */
export function seedWorld(db) {
  return seed(db, {
    users: ['owner', 'member'],
    orgs: {
      acme: { plan: 'team', members: { owner: 'owner', member: 'member' }, repos: ['app', 'web'], publicRepos: ['docs'] },
      bizco: { plan: 'business', members: { owner: 'owner' }, repos: ['app'] },
    },
  });
}

/** The registry's sign-in with an organization access token: GET /token, Basic ORG:SECRET. */
export async function registrySignIn(server, org, secret, repository = `${org}/app`) {
  const r = await server.tokenService({ user: org, secret, scopes: [`repository:${repository}:pull`] });
  assert.equal(r.status, 200, String(r));
  assert.equal(typeof r.body.token, 'string', String(r));
  return r;
}

/**
 * The one token ORG has beyond BEFORE (its list items earlier), which must be labelled LABEL:
 * the API's whole answer for it (resources and all).
 */
export async function addedToken(world, org, before, label) {
  const after = await world.server.tokens(org, world.bearer);
  assert.equal(after.length, before.length + 1, `one token more: ${after.map((t) => t.label)}`);
  const made = after.find((t) => t.label === label);
  assert.ok(made, `the API lists the new token: ${after.map((t) => t.label)}`);
  return (await world.server.token(org, made.id, world.bearer)).body;
}

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // WebGL 2 without a GPU: ANGLE on SwiftShader.
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
  // Keep drawing frames even when the page is not "visible" to the compositor.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** Debian's Chromium, headless; ARGS: more command-line switches (e.g. --disable-webgl). */
export async function launchBrowser({ args = [] } = {}) {
  const { chromium } = await loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.OAT_BROWSER_HEADED !== '1',
    args: [...CHROMIUM_ARGS, ...args],
    timeout: WAIT_MS,
  });
}

/**
 * TEXT as the hook published it, or, when the hook publishes no text for this widget, marks
 * the test TODO (it still runs; the runner prints "# TODO" and the reason) and fails.
 */
export function needText(t, text, what) {
  if (text !== null && text !== undefined) return text;
  t.todo(`the console's test hook publishes no text for ${what}`);
  throw new Error(`the console's test hook publishes no text for ${what}`);
}

/** A file-name-safe form of a test name. */
export function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

/**
 * One console page: a fresh browser context (clipboard permissions, 1440x900), opened at
 * /?test=1 plus HASH. Every helper finds widgets through the test hook and acts through the
 * mouse and keyboard. BASE (open's option) is the page's URL without query, ending in "/"
 * (default: oatd's own, `${world.server.url}/`), e.g. another origin's static host.
 */
export class Console {
  constructor(world, context, page, name) {
    this.world = world;
    this.context = context;
    this.page = page;
    this.name = name;
    this.logs = [];
    page.on('console', (m) => this.logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.logs.push(`pageerror: ${e.message}`));
  }

  /**
   * HEADERS: sent with every request of the page (Playwright's extraHTTPHeaders); SCALE: the
   * device pixel ratio (1). COLORSCHEME and REDUCEDMOTION: the system's preferences the page
   * sees (Playwright's); the console follows prefers-color-scheme until the owner picks a
   * theme, so the default is a dark system, the look the other files were written for.
   * VIEWPORT: {width, height} in CSS pixels (1440x900); TOUCH: a phone's touch screen and
   * mobile viewport (Playwright's hasTouch and isMobile), for tap().
   */
  static async open(world, name, { hash = '', base, headers, scale = 1, colorScheme = 'dark',
    reducedMotion = 'no-preference', viewport = { width: 1440, height: 900 }, touch = false } = {}) {
    base = base ?? `${world.server.url}/`;
    const origin = new URL(base).origin;
    const context = await world.browser.newContext({
      viewport,
      ...(touch ? { hasTouch: true, isMobile: true } : {}),
      deviceScaleFactor: scale,
      colorScheme,
      reducedMotion,
      ...(headers ? { extraHTTPHeaders: headers } : {}),
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    const c = new Console(world, context, page, name);
    c.base = base;
    await c.goto(hash);
    return c;
  }

  /** Loads the console at BASE?test=1HASH (BASE: oatd's /) and waits for its first frames. */
  async goto(hash = '') {
    const base = this.base ?? `${this.world.server.url}/`;
    await this.page.goto(`${base}?test=1${hash}`, { timeout: WAIT_MS });
    await this.waitFrames(2, { from: 0 });
  }

  async reload() {
    await this.page.reload({ timeout: WAIT_MS });
    await this.waitFrames(2, { from: 0 });
  }

  async close() {
    await this.context.close().catch(() => {});
  }

  // --- the hook ---------------------------------------------------------------------------

  frames() {
    return this.page.evaluate(() => window.__oat_frames || 0);
  }
  widgets() {
    return this.page.evaluate(() => window.__oat_widgets || {});
  }
  status() {
    return this.page.evaluate(() => window.__oat_status || {});
  }

  /** Waits until N more frames are drawn (or until __oat_frames >= FROM + N). */
  async waitFrames(n = 1, { from } = {}) {
    const start = from ?? (await this.frames());
    await this.page.waitForFunction((target) => (window.__oat_frames || 0) >= target, start + n,
      { timeout: WAIT_MS, polling: 'raf' }).catch((e) => {
      throw new Error(`the console drew no ${n} frame(s) after frame ${start}: ${e.message}\n${this.logs.join('\n')}`);
    });
  }

  /** The widget's rectangle once it is published; throws after MS. */
  async waitForWidget(name, { timeout = WAIT_MS } = {}) {
    try {
      const handle = await this.page.waitForFunction((n) => window.__oat_widgets && window.__oat_widgets[n],
        name, { timeout, polling: 'raf' });
      return await handle.jsonValue();
    } catch (e) {
      const names = Object.keys(await this.widgets().catch(() => ({}))).sort().join(', ');
      throw new Error(`widget "${name}" did not appear within ${timeout} ms (status ${JSON.stringify(
        await this.status().catch(() => ({})))}; widgets: ${names})`);
    }
  }

  /** Waits until the widget is no longer published. */
  async waitForNoWidget(name, { timeout = WAIT_MS } = {}) {
    await this.page.waitForFunction((n) => !(window.__oat_widgets && window.__oat_widgets[n]), name,
      { timeout, polling: 'raf' }).catch(() => {
      throw new Error(`widget "${name}" still shown after ${timeout} ms`);
    });
  }

  /**
   * The text the hook publishes for NAME ({x, y, w, h, text}), or null when it publishes none.
   * Test hook text is not there yet for every widget; tests that need it mark themselves TODO
   * (never a silent pass) through needText().
   */
  async text(name) {
    const w = (await this.widgets())[name];
    return w && typeof w.text === 'string' ? w.text : null;
  }

  async hasWidget(name) {
    return Boolean((await this.widgets())[name]);
  }

  /**
   * Waits until PREDICATE(__oat_status, ARG) is true; the status. PREDICATE runs in the page: it
   * is sent as source, so it sees no variable of the test, only ARG (JSON).
   */
  async waitForStatus(predicate, what, { timeout = WAIT_MS, arg = null } = {}) {
    try {
      const handle = await this.page.waitForFunction(
        ([src, a]) => {
          const s = window.__oat_status;
          // eslint-disable-next-line no-new-func
          return s && new Function('s', 'arg', `return (${src})(s, arg);`)(s, a) ? s : null;
        },
        [predicate.toString(), arg], { timeout, polling: 'raf' });
      return await handle.jsonValue();
    } catch {
      throw new Error(`timed out waiting for ${what}: status ${JSON.stringify(await this.status())}`);
    }
  }

  /** Waits for a screen with nothing in flight. */
  async waitIdle(screen) {
    return this.waitForStatus(
      new Function('s', `return s.pending === 0 && !s.loading && (${JSON.stringify(screen ?? null)} === null || s.screen === ${JSON.stringify(screen ?? null)});`),
      `the console idle${screen ? ` on ${screen}` : ''}`);
  }

  // --- acting -------------------------------------------------------------------------------

  /**
   * The center of NAME once it stays put for a frame: a popup is laid out hidden in its first
   * frame and may move when it shows, so a rectangle seen once can be stale.
   */
  async center(name) {
    let r = await this.waitForWidget(name);
    for (let i = 0; i < 10; ++i) {
      await this.waitFrames(1);
      const again = await this.waitForWidget(name);
      if (again.x === r.x && again.y === r.y && again.w === r.w && again.h === r.h) break;
      r = again;
    }
    return { x: r.x + r.w / 2, y: r.y + r.h / 2 };
  }

  /**
   * Waits until the console has taken every pointer and key event sent so far (each is taken in
   * a frame of its own: a press, then its release), then a frame more, which draws what the last
   * one changed everywhere (an item drawn before the one acted on shows it a frame later).
   */
  async settle() {
    const start = await this.frames();
    // (A console from before the status said "input", measured by figures.mjs: a frame.)
    const handle = await this.page.waitForFunction(
      (from) => (window.__oat_frames || 0) > from && window.__oat_status &&
        (window.__oat_status.input === 0 || !('input' in window.__oat_status)) && window.__oat_frames,
      start, { timeout: WAIT_MS, polling: 'raf' }).catch((e) => {
      throw new Error(`the console took no input after frame ${start}: ${e.message}\n${this.logs.join('\n')}`);
    });
    await this.waitFrames(1, { from: await handle.jsonValue() });
  }

  /** A click at the center of NAME: move, a frame, press, a frame, release, and settle(). */
  async click(name) {
    const { x, y } = await this.center(name);
    await this.page.mouse.move(x, y);
    await this.waitFrames(1);
    await this.page.mouse.down();
    await this.waitFrames(1);
    await this.page.mouse.up();
    await this.settle();
  }

  /** A tap of a finger at the center of NAME (a touch context: Console.open's TOUCH), and settle(). */
  async tap(name) {
    const { x, y } = await this.center(name);
    await this.page.touchscreen.tap(x, y);
    await this.settle();
  }

  /** Hovers NAME (for tooltips) and waits two frames. */
  async hover(name) {
    const { x, y } = await this.center(name);
    await this.page.mouse.move(x, y);
    await this.waitFrames(2);
  }

  /**
   * Clicks NAME, waits two frames for the keyboard focus, then types TEXT (REPLACE: what the
   * field held first goes). The console takes one change of a key per frame (so that no tap is
   * lost), so typing runs ahead of it: the wait ends when the field shows the text (widgets that
   * publish their text), else after two frames per character.
   */
  async type(name, text, { replace = false } = {}) {
    await this.click(name);
    await this.waitFrames(2);
    if (replace) {
      await this.press('Control+A');
      await this.press('Delete');
    }
    const before = (await this.widgets())[name];
    await this.page.keyboard.type(text);
    if (before && typeof before.text === 'string') {
      const want = replace ? text : before.text + text;
      await this.page.waitForFunction(([n, t]) => {
        const w = window.__oat_widgets && window.__oat_widgets[n];
        return !w || w.text === t;
      }, [name, want], { timeout: WAIT_MS + 200 * text.length, polling: 'raf' }).catch(async () => {
        const now = (await this.widgets())[name];
        throw new Error(`${name} shows ${JSON.stringify(now && now.text)}, not ${JSON.stringify(want)}`);
      });
      await this.waitFrames(2);
    } else {
      await this.waitFrames(2 * text.length + 4);
    }
  }

  /**
   * Pastes TEXT into NAME as a person would: the text is put on the system clipboard (as if
   * copied elsewhere), then a click in the field and Control+V.
   */
  async paste(name, text) {
    await this.page.evaluate((t) => navigator.clipboard.writeText(t), text);
    await this.click(name);
    await this.waitFrames(2);
    await this.page.keyboard.press('Control+V');
    await this.waitFrames(3);
  }

  /** One key (Playwright's names: Enter, Escape, Tab, Control+A, ...), and settle(). */
  async press(key) {
    await this.page.keyboard.press(key);
    await this.settle();
  }

  // --- common paths -------------------------------------------------------------------------

  /** Signs in through the form (REPLACE: clear what the fields hold); does not wait for the outcome. */
  async submitSignIn(user, secret = password(user), { replace = false } = {}) {
    await this.waitForWidget('signin.username');
    await this.type('signin.username', user, { replace });
    await this.type('signin.password', secret, { replace });
    await this.press('Enter');
  }

  /** Signs in and waits for the tokens table of ORG (if given), loaded. */
  async signIn(user = 'owner', { org, replace = false } = {}) {
    await this.submitSignIn(user, password(user), { replace });
    const s = await this.waitForStatus(
      new Function('s', `return s.screen === 'tokens' && s.pending === 0 && s.loading === 0${org ? ` && s.org === ${JSON.stringify(org)}` : ''};`),
      `the tokens table${org ? ` of ${org}` : ''} after signing in as ${user}`);
    return s;
  }

  /**
   * Signs USER in by role and name only (the fields filled, the button clicked), as a screen
   * reader's user or a password manager would; the tokens of acme, loaded.
   */
  async signInByRole(user = 'owner') {
    await this.page.getByRole('textbox', { name: 'Username' }).fill(user);
    await this.page.getByLabel('Password').fill(password(user));
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    return this.waitForStatus((s) => s.screen === 'tokens' && s.pending === 0 && s.loading === 0 && s.org === 'acme',
      'the tokens of acme');
  }

  /** Picks ORG in the top bar's organization picker. */
  async selectOrg(org) {
    await this.click('topbar.org');
    await this.click(`topbar.org.option.${org}`);
    return this.waitForStatus(new Function('s', `return s.org === ${JSON.stringify(org)} && s.pending === 0 && s.loading === 0;`),
      `organization ${org}`);
  }

  /** Clicks the refresh button and waits for the reloaded list. */
  async refresh() {
    await this.click('tokens.refresh');
    return this.waitIdle('tokens');
  }

  /** Opens the generate dialog from the tokens page. */
  async openGenerate() {
    await this.click('tokens.generate');
    await this.waitForStatus((s) => s.dialog === 'generate', 'the generate dialog');
    await this.waitForWidget('generate.label');
  }

  /** Adds the organization's repository NAME through the dialog's picker. */
  async addRepository(name) {
    await this.click('generate.repo.add');
    await this.waitForWidget(`generate.repo.picker.item.${name}`);
    await this.click(`generate.repo.picker.item.${name}`);
    await this.waitForNoWidget(`generate.repo.picker.item.${name}`);
  }

  /**
   * Clicks NAME, a Copy button, and returns what it put on the clipboard. The clipboard is
   * emptied first, and the browser writes it in its own time (a frame or many, under load).
   */
  async copyFrom(name) {
    await this.page.evaluate(() => navigator.clipboard.writeText(''));
    await this.click(name);
    return waitFor(() => this.page.evaluate(() => navigator.clipboard.readText()), `${name} to fill the clipboard`);
  }

  /**
   * In the dialog that shows a new token once: Copy, and what it put on the clipboard, which
   * must be a token's secret.
   */
  async copySecret() {
    await this.waitForStatus((s) => s.dialog === 'created', 'the token shown once');
    await this.waitForWidget('created.token');
    const secret = await this.copyFrom('created.copy');
    assert.match(secret, SECRET_RE, 'the clipboard holds a token');
    return secret;
  }

  /** Closes the dialog that shows a new token, and waits for the table with nothing in flight. */
  async closeCreated() {
    await this.click('created.close');
    await this.waitForStatus((s) => !s.dialog && s.pending === 0 && s.loading === 0, 'the dialog closed');
  }

  /** The labels of the table's rows, in display order. */
  async rowLabels() {
    const s = await this.status();
    return Array.from({ length: s.rows ?? 0 }, (_, i) => s[`tokens.row.${i}.label`]);
  }

  /** Index of the row labelled LABEL in the tokens table (-1 if none). */
  async rowOf(label) {
    return (await this.rowLabels()).indexOf(label);
  }

  /** Index of the row labelled LABEL, once the table has one. */
  async waitForRow(label) {
    // Wrapped, as row 0 would not end the wait.
    return (await waitFor(async () => {
      const i = await this.rowOf(label);
      return i >= 0 ? { i } : null;
    }, `the row ${label}`)).i;
  }

  /** A screenshot in the artifacts folder: <file>.<test>[.<step>].png */
  async shot(step = '') {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, `${this.name}${step ? `.${slug(step)}` : ''}.png`);
    await this.page.screenshot({ path: file, timeout: WAIT_MS }).catch(() => {});
    return file;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-file fixture
// ---------------------------------------------------------------------------------------------

/**
 * Registers before/after hooks for a test file (useWorld of tests/lib/world.mjs): a fresh data
 * folder seeded with seedWorld, oatd serving the console, the owner signed in, one Chromium,
 * then SETUP(world). Returns the world: {dir, db, server, bearer (the owner's), browser, file}.
 * The after hook closes the browser and stops oatd, also when tests failed.
 * Serving otherwise: PREPARE(world) runs after seeding, before oatd starts (world.dir and
 * world.db set); SERVEARGS (an array, or a function of the world returning one, called after
 * PREPARE) adds arguments to `oatd serve`; CONSOLEDIR (null: none) is oatd's `--console`.
 */
export function useConsole(metaUrl, { setup, prepare, serveArgs = [], consoleDir = CONSOLE_DIR } = {}) {
  const world = useWorld({
    kind: 'browser',
    seed: async (db) => {
      // Before anything starts: what is missing, said once for every test of the file.
      const problems = prerequisites();
      if (problems.length) throw new Error(`browser tests cannot run:\n  - ${problems.join('\n  - ')}`);
      await seedWorld(db);
    },
    prepare,
    serveArgs: async (w) => [
      ...consoleArgs(consoleDir), ...(typeof serveArgs === 'function' ? await serveArgs(w) : serveArgs),
    ],
    setup: async (w) => {
      w.bearer = w.bearers.owner;
      w.browser = await launchBrowser();
      if (setup) await setup(w);
    },
    teardown: (w) => w.browser?.close().catch(() => {}),
  });
  world.file = basename(fileURLToPath(metaUrl)).replace(/\.test\.mjs$/, '');
  return world;
}

/**
 * A test with its own console page. FN(console, t) runs against a page opened at HASH; the page
 * is screenshotted at the end (<file>.<test>.png), or on failure (<file>.<test>.failed.png, with
 * the page's console lines added to the error), and closed either way. BASE and HASH:
 * Console.open's (a string, or a function returning one when the test starts, for URLs known
 * only then); SCALE, COLORSCHEME, REDUCEDMOTION, VIEWPORT and TOUCH: Console.open's too.
 */
export function consoleTest(world, name, fn, { hash = '', base, scale, colorScheme, reducedMotion, viewport, touch, ...options } = {}) {
  return test(name, options, (t) => withConsolePage(world, name, {
    hash: typeof hash === 'function' ? hash() : hash,
    base: typeof base === 'function' ? base() : base,
    scale,
    colorScheme,
    reducedMotion,
    viewport,
    touch,
  }, (c) => fn(c, t)));
}

/**
 * Opens a console page named after NAME (at HASH, from BASE), runs FN(console), and closes it:
 * a screenshot at the end, another when FN fails (whose message then gets the page's console).
 */
export async function withConsolePage(world, name, { hash = '', base, scale, colorScheme, reducedMotion, viewport, touch } = {}, fn) {
  const c = await Console.open(world, `${world.file}.${slug(name)}`, { hash, base, scale, colorScheme, reducedMotion, viewport, touch });
  return withShots(c, fn);
}

/**
 * Runs FN(c) on the open console page C, and closes it: a screenshot at the end, another when
 * FN fails (whose message then gets the page's console).
 */
export async function withShots(c, fn) {
  try {
    await fn(c);
    await c.shot();
  } catch (e) {
    await c.shot('failed');
    if (c.logs.length) e.message += `\npage console:\n  ${c.logs.slice(-30).join('\n  ')}`;
    throw e;
  } finally {
    await c.close();
  }
}

/** Signs in as owner to acme and shows only LABEL's row (row 0) through the filter; 0. */
export async function onlyRow(c, label) {
  await c.signIn('owner', { org: 'acme' });
  await c.type('tokens.filter', label);
  const s = await c.status();
  assert.equal(s.rows, 1, `one row for ${label}`);
  assert.equal(s['tokens.row.0.label'], label);
  return 0;
}

/**
 * How many pixels inside RECT (CSS pixels) differ clearly from the most common colour there (the
 * background): the text's ink; and how many of them are clearly coloured (not grey).
 */
export async function pixelsIn(c, rect) {
  const scale = await c.page.evaluate(() => window.devicePixelRatio);
  const png = await c.page.screenshot({ clip: { x: rect.x, y: rect.y, width: rect.w, height: rect.h } });
  return c.page.evaluate(async ([data, k]) => {
    const blob = await (await fetch(`data:image/png;base64,${data}`)).blob();
    const image = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const px = ctx.getImageData(0, 0, image.width, image.height).data;
    const counts = new Map();
    for (let i = 0; i < px.length; i += 4) {
      const key = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const bg = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const [r, g, b] = [(bg >> 16) & 255, (bg >> 8) & 255, bg & 255];
    let ink = 0;
    let coloured = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) <= 150) continue;
      ++ink;
      if (Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 80) ++coloured;
    }
    return { ink: ink / (k * k), coloured: coloured / (k * k) };  // in CSS pixels
  }, [png.toString('base64'), scale]);
}

export const inkIn = async (c, rect) => (await pixelsIn(c, rect)).ink;

/**
 * The ink inside the rectangle PLACE() answers once there is more than MIN px of it: a widget is
 * published by the frame that draws it, and the screen shows that frame once the browser has
 * drawn it, not before. PLACE is asked again each time (the widget may still be moving).
 */
export async function inkOver(c, place, min, what) {
  let last = null;
  try {
    return await waitFor(async () => {
      const rect = await place();
      const ink = await inkIn(c, rect);
      last = { rect, ink };
      return ink > min && ink;
    }, `${what} (over ${min} px of ink)`);
  } catch (e) {
    throw new Error(`${e.message}; last ${JSON.stringify(last)}`);
  }
}
