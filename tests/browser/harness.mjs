// Harness for the console's browser tests (label "browser"): a real oatd serving the built
// console (`oatd serve --console DIR`) on a fresh database, and Debian's Chromium driven by
// playwright-core. Tests act on the page only through the mouse and the keyboard, finding
// widgets through the console's test hook (?test=1, web/src/test_hook.h):
//   window.__oat_widgets  {name: {x, y, w, h}} in CSS pixels
//   window.__oat_status   {screen, pending, loading, org, tokens, rows, ...}
//   window.__oat_frames   frames drawn so far
// They use the management API (docs/api.md) to set the scene and to check outcomes on the
// server's side, never to drive the console.
//
// Environment (set by tests/browser/CMakeLists.txt):
//   OATD                 the oatd binary (default: build/native/native/oatd)
//   CONSOLE_DIR          the built console (default: build/wasm/web/console)
//   OAT_BROWSER_ARTIFACTS where screenshots go (default: build/native/browser-artifacts)
//   CHROMIUM             the browser (default: /usr/bin/chromium, Debian's; never downloaded)
//   OAT_BROWSER_HEADED=1 show the browser (needs a display)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

export const OATD = resolve(process.env.OATD || join(repo, 'build/native/native/oatd'));
export const CONSOLE_DIR = resolve(process.env.CONSOLE_DIR || join(repo, 'build/wasm/web/console'));
export const ARTIFACTS = resolve(process.env.OAT_BROWSER_ARTIFACTS || join(repo, 'build/native/browser-artifacts'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Upper bound of one wait (a widget, a status, an answer). Chromium renders with SwiftShader. */
export const WAIT_MS = 20_000;

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
// Processes
// ---------------------------------------------------------------------------------------------

const children = new Set();
function killChildren() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // gone
    }
  }
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killChildren();
    process.exit(1);
  });
}
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const idle = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/** `oatd admin --db DB ARGS...` (INPUT on stdin), which must succeed. */
export function admin(db, args, input = '') {
  return new Promise((resolvePromise, reject) => {
    const child = track(spawn(OATD, ['admin', '--db', db, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`oatd admin ${args.join(' ')} exited ${code ?? signal}: ${err}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

export const password = (user) => `${user}-pass-phrase`;

/**
 * The world most files use:
 *   acme  (Team, quota 10): owner is its owner; repositories app, web, docs (public)
 *   bizco (Business):       owner is its owner; repository bizco/app
 *   member: a plain member of acme (may not manage tokens)
 */
export async function seedWorld(db) {
  await admin(db, ['user', 'add', 'owner'], password('owner'));
  await admin(db, ['user', 'add', 'member'], password('member'));
  for (const step of [
    ['org', 'add', 'acme', '--plan', 'team'],
    ['org', 'add', 'bizco', '--plan', 'business'],
    ['member', 'add', 'acme', 'owner', '--role', 'owner'],
    ['member', 'add', 'acme', 'member', '--role', 'member'],
    ['member', 'add', 'bizco', 'owner', '--role', 'owner'],
    ['repo', 'add', 'acme/app'],
    ['repo', 'add', 'acme/web'],
    ['repo', 'add', 'acme/docs', '--public'],
    ['repo', 'add', 'bizco/app'],
  ]) {
    await admin(db, step);
  }
}

/** An HTTP answer: status, headers, text, JSON body (if any). */
export class Reply {
  constructor(method, path, status, headers, text) {
    Object.assign(this, { method, path, status, headers, text });
    try {
      this.body = text === '' ? undefined : JSON.parse(text);
    } catch {
      this.body = undefined;
    }
  }
  toString() {
    return `${this.method} ${this.path} -> ${this.status} ${this.text}`;
  }
}

/**
 * `oatd serve --console CONSOLE_DIR` on 127.0.0.1, any free port, over DIR/oat.db. CONSOLEDIR
 * null: no `--console` (the API only). SERVEARGS: more arguments of `oatd serve`
 * (`['--cors-origin', ORIGIN]`).
 */
export class Oatd {
  static async start(dir, { consoleDir = CONSOLE_DIR, serveArgs = [] } = {}) {
    const s = new Oatd(dir, consoleDir, serveArgs);
    await s.#launch();
    return s;
  }

  constructor(dir, consoleDir, serveArgs = []) {
    this.dir = dir;
    this.db = join(dir, 'oat.db');
    this.consoleDir = consoleDir;
    this.serveArgs = serveArgs;
    this.stdout = '';
    this.stderr = '';
  }

  #launch() {
    const consoleArgs = this.consoleDir === null ? [] : ['--console', this.consoleDir];
    const child = track(spawn(OATD, ['serve', '--db', this.db, '--listen', '127.0.0.1:0',
      ...consoleArgs, '--access-log', 'off', ...this.serveArgs], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    this.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    child.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`oatd serve did not start within ${WAIT_MS} ms: ${this.stderr}`));
      }, WAIT_MS);
      const onData = () => {
        const m = /oatd: listening on 127\.0\.0\.1:(\d+)/.exec(this.stderr);
        if (!m) return;
        clearTimeout(timer);
        child.stderr.off('data', onData);
        this.port = Number(m[1]);
        this.url = `http://127.0.0.1:${this.port}`;
        resolvePromise();
      };
      child.stderr.on('data', onData);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${OATD}: ${e.message}`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`oatd serve exited (${code ?? signal}) before listening: ${this.stderr}`));
      });
    });
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    if ((await Promise.race([this.exited, idle(5000).then(() => null)])) === null) {
      this.child.kill('SIGKILL');
      await Promise.race([this.exited, idle(WAIT_MS)]);
    }
  }

  /** One request: bearer, basic ([user, secret]), json (a body), headers. */
  async request(method, path, { bearer, basic, json, headers = {} } = {}) {
    const h = { ...headers };
    if (bearer !== undefined) h.authorization = `Bearer ${bearer}`;
    if (basic !== undefined) h.authorization = `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}`;
    let body;
    if (json !== undefined) {
      body = JSON.stringify(json);
      h['content-type'] = 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers: h, body, signal: AbortSignal.timeout(WAIT_MS) });
    const text = await res.text();
    return new Reply(method, path, res.status, Object.fromEntries(res.headers), text);
  }

  async signIn(user, secret = password(user)) {
    const r = await this.request('POST', '/v2/auth/token', { json: { identifier: user, secret } });
    assert.equal(r.status, 200, `sign-in as ${user}: ${r}`);
    return r.body.access_token;
  }

  /** POST a token; the 201 body (with the secret). FIELDS override label, resources, ... */
  async createToken(org, bearer, fields = {}) {
    const r = await this.request('POST', `/v2/orgs/${org}/access-tokens`, {
      bearer,
      json: {
        label: 'ci',
        description: '',
        resources: [{ type: 'TYPE_REPO', path: `${org}/app`, scopes: ['scope-image-pull'] }],
        expires_at: null,
        ...fields,
      },
    });
    assert.equal(r.status, 201, String(r));
    return r.body;
  }

  /** Every token of ORG (list items, newest first). */
  async tokens(org, bearer) {
    const all = [];
    for (let page = 1; ; ++page) {
      const r = await this.request('GET', `/v2/orgs/${org}/access-tokens?page=${page}&page_size=100`, { bearer });
      assert.equal(r.status, 200, String(r));
      all.push(...r.body.results);
      if (!r.body.next) return all;
    }
  }

  async token(org, id, bearer) {
    const r = await this.request('GET', `/v2/orgs/${org}/access-tokens/${id}`, { bearer });
    return r;
  }

  async auditTotal(org, bearer) {
    const r = await this.request('GET', `/v2/auditlogs/${org}?page=1&page_size=1`, { bearer });
    assert.equal(r.status, 200, String(r));
    return r.body.total;
  }
}

/** The registry's sign-in with an organization access token: GET /token, Basic ORG:SECRET. */
export async function registrySignIn(server, org, secret, repo = `${org}/app`) {
  const r = await server.request('GET', `/token?service=oat-registry&scope=repository:${repo}:pull`, {
    basic: [org, secret],
  });
  assert.equal(r.status, 200, String(r));
  assert.equal(typeof r.body.token, 'string', String(r));
  return r;
}

/** RFC 3339 at whole seconds. */
export function rfc3339(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const SECRET_RE = /^dckr_oat_[A-Za-z0-9]{32}$/;

/** Polls PREDICATE until it returns a truthy value (at most MS). */
export async function waitFor(predicate, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
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

  static async open(world, name, { hash = '', base } = {}) {
    base = base ?? `${world.server.url}/`;
    const origin = new URL(base).origin;
    const context = await world.browser.newContext({
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
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

  /** The center of NAME's rectangle (waits for it). */
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

  /** A click at the center of NAME: move, a frame, press, a frame, release, a frame. */
  async click(name) {
    const { x, y } = await this.center(name);
    await this.page.mouse.move(x, y);
    await this.waitFrames(1);
    await this.page.mouse.down();
    await this.waitFrames(1);
    await this.page.mouse.up();
    await this.waitFrames(1);
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
      await this.page.keyboard.press('Control+A');
      await this.waitFrames(2);
      await this.page.keyboard.press('Delete');
      await this.waitFrames(2);
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

  /** One key (Playwright's names: Enter, Escape, Tab, Control+A, ...), then a frame. */
  async press(key) {
    await this.page.keyboard.press(key);
    await this.waitFrames(2);
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

  /** The labels of the table's rows, in display order. */
  async rowLabels() {
    const s = await this.status();
    return Array.from({ length: s.rows ?? 0 }, (_, i) => s[`tokens.row.${i}.label`]);
  }

  /** Index of the row labelled LABEL in the tokens table (-1 if none). */
  async rowOf(label) {
    return (await this.rowLabels()).indexOf(label);
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
 * Registers before/after hooks for a test file: a fresh data folder seeded with seedWorld (then
 * SETUP(world), given the server and the owner's bearers), oatd serving the console, and one
 * Chromium. Returns the world: {dir, db, server, browser, bearer (owner), file}. The after hook
 * closes the browser and stops oatd, also when tests failed.
 * Serving otherwise: PREPARE(world) runs after seeding, before oatd starts (world.dir and
 * world.db set); SERVEARGS (an array, or a function of the world returning one, called after
 * PREPARE) adds arguments to `oatd serve`; CONSOLEDIR (null: none) is oatd's `--console`.
 */
export function useConsole(metaUrl, { setup, seed = seedWorld, prepare, serveArgs = [], consoleDir = CONSOLE_DIR } = {}) {
  const world = { file: basename(fileURLToPath(metaUrl)).replace(/\.test\.mjs$/, '') };
  before(async () => {
    const problems = prerequisites();
    if (problems.length) throw new Error(`browser tests cannot run:\n  - ${problems.join('\n  - ')}`);
    world.dir = mkdtempSync(join(tmpdir(), 'oat-browser-'));
    world.db = join(world.dir, 'oat.db');
    await seed(world.db);
    if (prepare) await prepare(world);
    const args = typeof serveArgs === 'function' ? await serveArgs(world) : serveArgs;
    world.server = await Oatd.start(world.dir, { consoleDir, serveArgs: args });
    world.bearer = await world.server.signIn('owner');
    world.browser = await launchBrowser();
    if (setup) await setup(world);
  });
  after(async () => {
    await world.browser?.close().catch(() => {});
    await world.server?.stop();
    if (world.dir && !process.env.OAT_KEEP_TEST_DIRS) rmSync(world.dir, { recursive: true, force: true });
  });
  return world;
}

/**
 * A test with its own console page. FN(console, t) runs against a page opened at HASH; the page
 * is screenshotted at the end (<file>.<test>.png), or on failure (<file>.<test>.failed.png, with
 * the page's console lines added to the error), and closed either way. BASE: Console.open's (a
 * string, or a function returning one when the test starts, for URLs known only then).
 */
export function consoleTest(world, name, fn, { hash = '', base, ...options } = {}) {
  return test(name, options, async (t) => {
    const url = typeof base === 'function' ? base() : base;
    const c = await Console.open(world, `${world.file}.${slug(name)}`, { hash, base: url });
    try {
      await fn(c, t);
      await c.shot();
    } catch (e) {
      await c.shot('failed');
      if (c.logs.length) e.message += `\npage console:\n  ${c.logs.slice(-30).join('\n  ')}`;
      throw e;
    } finally {
      await c.close();
    }
  });
}
