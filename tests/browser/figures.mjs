// Figures of the console in headless Chromium, for docs/benchmarks-console.md. Measures, never
// asserts (not a test: the runner's glob *.test.mjs leaves it out).
//
//   node tests/browser/figures.mjs [--runs N] [--seconds S] [--load-only] [--own-core]
//
// Environment as for the tests: OATD, CONSOLE_DIR (default build/wasm/web/console), CHROMIUM,
// OAT_TEST_BACKEND (and OAT_TEST_POSTGRES; tests/lib/database.mjs).
//   1. Download size: each file of the console, raw, gzip -9 and brotli -q 11, and what Chromium
//      received from oatd on a first visit (Resource Timing transferSize, headers included):
//      from a copy of the console without precompressed siblings, from the build as it is with
//      Accept-Encoding limited to gzip, and from the build as it is (Brotli).
//   2. Time to the console: navigation start to the first frame the console draws
//      (window.__oat_frames >= 1, ?test=1; the loading page is gone in that frame), cold cache,
//      median of N fresh browser contexts; and the loader's steps (performance marks).
//   3. Frame time with 100 tokens (Business organization) and 10,000 audit events: for S seconds
//      on the tokens table (and on the activity view, when the console has one), the interval
//      between animation frames and the time the console's own frame callback takes (the page's
//      requestAnimationFrame wrapped by an init script). With --own-core, the page's main thread
//      runs alone on the last core (Linux affinity, taskset) and every other thread of the
//      browser, of oatd and of this script on the others: the frame's times are then its work,
//      not the work plus the milliseconds the system gave its core to the GPU process or the
//      driver (two shared cores here).
import { execFileSync } from 'node:child_process';
import {
  cpSync, mkdtempSync, readFileSync, readdirSync, rmSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { dropTestDatabase, testDatabase } from '../lib/database.mjs';
import {
  CONSOLE_DIR, CHROMIUM, Console, Oatd, consoleArgs, launchBrowser, seed, sleep,
} from './harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = opt('--runs', 7);
const SECONDS = opt('--seconds', 5);
const LOAD_ONLY = args.includes('--load-only');
const OWN_CORE = args.includes('--own-core');
const CORES = availableParallelism();  // before --own-core narrows this process's
let serverPid = 0;  // oatd's, for --own-core

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n) => `${n.toFixed(1)} ms`;
function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const median = (v) => quantile(v, 0.5);

const say = (line = '') => console.log(line);
// Markdown tables: a row of cells, and a header (the columns and the rule under them).
const row = (...cells) => say(`| ${cells.join(' | ')} |`);
const header = (...columns) => {
  row(...columns);
  say(`|${'---|'.repeat(columns.length)}`);
};
const bold = (text) => `**${text}**`;
const total = (rows, key) => rows.reduce((sum, r) => sum + r[key], 0);

// A world: owner of bizco (Business, quota 100) with two repositories, and of emptyco (nothing).
async function seedFigures(dir) {
  return seed(await testDatabase(dir), {
    users: ['owner'],
    orgs: {
      bizco: { plan: 'business', members: { owner: 'owner' }, repos: ['app', 'web'] },
      emptyco: { plan: 'business', members: { owner: 'owner' } },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// 1. Size
// ---------------------------------------------------------------------------------------------

const PACKED = /\.(gz|br)$/;

function fileSizes(dir) {
  const rows = [];
  for (const name of readdirSync(dir).sort()) {
    if (PACKED.test(name)) continue;
    const bytes = readFileSync(join(dir, name));
    rows.push({
      name, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length,
      br: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  return rows;
}

/** What Chromium received for each file of the console, loading it once from SERVER. */
async function transferred(browser, server, headers = {}) {
  const world = { server, browser };
  const c = await Console.open(world, 'figures-size', { headers });
  const entries = await c.page.evaluate(() => performance.getEntriesByType('resource').map((e) => ({
    name: new URL(e.name).pathname.slice(1), transfer: e.transferSize, encoded: e.encodedBodySize,
    decoded: e.decodedBodySize,
  })));
  const nav = await c.page.evaluate(() => {
    const e = performance.getEntriesByType('navigation')[0];
    return { name: 'index.html', transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize };
  });
  await c.close();
  return [nav, ...entries];
}

// ---------------------------------------------------------------------------------------------
// 2. First frame
// ---------------------------------------------------------------------------------------------

const FIRST_FRAME_SCRIPT = () => {
  let frames = 0;
  Object.defineProperty(window, '__oat_frames', {
    configurable: true,
    get() { return frames; },
    set(v) {
      if (frames < 1 && v >= 1) window.__oat_first_frame_ms = performance.now();
      frames = v;
    },
  });
};

async function firstFrame(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: 'dark' });
  await context.addInitScript(FIRST_FRAME_SCRIPT);
  const page = await context.newPage();
  await page.goto(`${server.url}/?test=1`);
  await page.waitForFunction(() => window.__oat_first_frame_ms !== undefined, null, { timeout: 30000 });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
    const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
    return { first: window.__oat_first_frame_ms, dcl: nav.domContentLoadedEventEnd, wasmEnd: wasm ? wasm.responseEnd : NaN, marks };
  });
  await context.close();
  return t;
}

// ---------------------------------------------------------------------------------------------
// 3. Frame time
// ---------------------------------------------------------------------------------------------

// Wraps requestAnimationFrame: each callback's duration (the console's frame: ImGui, its views,
// WebGL calls) and the interval between frames. WebGL's getParameter is timed apart: Dear ImGui's
// OpenGL3 backend reads GL state every frame, and the first such read waits for the GPU process
// to finish the previous frames (here SwiftShader, software rasterization), so it measures the
// renderer rather than the console; "cpu" is the callback less those waits.
const FRAME_TIMING_SCRIPT = () => {
  const raf = window.requestAnimationFrame.bind(window);
  const t = (window.__oat_timing = {
    work: [], cpu: [], layer: [], layout: [], drawn: [], stamps: [], on: false, wait: 0, calls: 0,
  });
  for (const proto of [window.WebGL2RenderingContext?.prototype, window.WebGLRenderingContext?.prototype]) {
    if (!proto) continue;
    const get = proto.getParameter;
    proto.getParameter = function (...a) {
      const s = performance.now();
      t.calls += 1;
      try {
        return get.apply(this, a);
      } finally {
        t.wait += performance.now() - s;
      }
    };
  }
  window.requestAnimationFrame = (cb) => raf((ts) => {
    t.wait = 0;
    t.calls = 0;
    const layer = window.Module?.oatSemantics;  // web/src/semantics.cpp: its time in the frame
    if (layer) layer.spent = undefined;
    const start = performance.now();
    cb(ts);
    const work = performance.now() - start;
    // The page's style and layout after the frame (which the browser does before it paints
    // anyway): what the frame's changes to the elements over the canvas cost it.
    const laidOut = performance.now();
    if (t.on) void document.documentElement.offsetHeight;
    const layout = performance.now() - laidOut;
    if (t.on) {
      t.layout.push(layout);
      t.work.push(work);
      t.cpu.push(work - t.wait);
      t.layer.push(layer && layer.spent !== undefined ? layer.spent : NaN);
      t.drawn.push(t.calls > 0);  // the OpenGL3 backend reads GL state in every frame it draws
      t.stamps.push(ts);
    }
  });
};

async function frameTimes(c, seconds, { moveMouse = true, wheel = false } = {}) {
  await c.page.evaluate(() => {
    window.__oat_timing.work = [];
    window.__oat_timing.cpu = [];
    window.__oat_timing.layer = [];
    window.__oat_timing.layout = [];
    window.__oat_timing.drawn = [];
    window.__oat_timing.stamps = [];
    window.__oat_timing.on = true;
  });
  const pinned = OWN_CORE ? ownCore(serverPid) : null;
  let r;
  try {
    const end = Date.now() + seconds * 1000;
    let i = 0;
    while (Date.now() < end) {
      if (wheel) {
        await c.page.mouse.move(700, 600);
        await c.page.mouse.wheel(0, i++ % 40 < 20 ? 300 : -300);  // down, then back up
      } else if (moveMouse) {
        // Sweep over the table, so rows hover and tooltips come and go, as for a person.
        await c.page.mouse.move(200 + (i * 37) % 1000, 260 + (i * 53) % 600);
        ++i;
      }
      await sleep(50);
    }
    r = await c.page.evaluate(() => {
      window.__oat_timing.on = false;
      return window.__oat_timing;
    });
  } finally {
    pinned?.undo();
  }
  // One rAF stamp per frame; several callbacks may share one (the page's and ours).
  const stamps = [...new Set(r.stamps)];
  const intervals = stamps.slice(1).map((s, k) => s - stamps[k]);
  // Our wrapper also runs for our own callbacks (none here) and the console's: keep the frames
  // the console drew; an idle frame (nothing changed, redraw.h) draws nothing.
  const drawnWork = r.work.filter((_, k) => r.drawn[k]);
  const drawnCpu = r.cpu.filter((_, k) => r.drawn[k]);
  const layer = r.layer.filter((v, k) => r.drawn[k] && v !== null && !Number.isNaN(v));
  const layout = r.layout.filter((_, k) => r.drawn[k]);
  return { frames: stamps.length, drawn: drawnWork.length, work: drawnWork, cpu: drawnCpu, layer, layout, intervals };
}

/** Says the row of WHAT in the frame-time table, for frameTimes' F. */
function frameRow(what, f) {
  const intervals = [`${f.frames} / ${f.drawn}`, ms(median(f.intervals)), ms(quantile(f.intervals, 0.95))];
  const layer = f.layer.length ? [ms(median(f.layer)), ms(quantile(f.layer, 0.95))] : ['-', '-'];
  if (!f.drawn) row(what, ...intervals, '-', '-', '-', '-', '-', '-', '-', '-');
  else {
    row(what, ...intervals, ms(median(f.work)), ms(median(f.cpu)), ms(quantile(f.cpu, 0.95)), ms(Math.max(...f.cpu)),
      ...layer, ms(median(f.layout)), ms(quantile(f.layout, 0.95)));
  }
}

/**
 * Gives the main thread of each of the browser's page processes the last core to itself and puts
 * every other thread of the browser, of oatd (SERVER_PID) and of this script on the other cores.
 * Answers what undoes it (every core for all of them again) and the page processes' ids.
 */
function ownCore(serverPid) {
  if (CORES < 2) throw new Error('--own-core needs two cores or more');
  // Chromium rewrites its helpers' command lines as one string: its words, split at spaces.
  const commandLine = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    } catch {
      return [];  // gone meanwhile
    }
  };
  const browser = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
    .filter((pid) => commandLine(pid)[0]?.endsWith('/chromium'));
  const pages = browser.filter((pid) => commandLine(pid).includes('--type=renderer'));
  if (!pages.length) throw new Error('--own-core: no page process of the browser found');
  const all = [...browser, String(serverPid), String(process.pid)];
  const affinity = (cores, pid, threads = true) => {
    try {
      execFileSync('taskset', [...(threads ? ['-a'] : []), '-p', '-c', cores, pid], { stdio: 'ignore' });
    } catch {
      // gone meanwhile (a helper process the browser ended)
    }
  };
  for (const pid of all) affinity(`0-${CORES - 2}`, pid);
  // A page's main thread is the thread whose id is its process's.
  for (const pid of pages) affinity(String(CORES - 1), pid, false);
  return { undo: () => all.forEach((pid) => affinity(`0-${CORES - 1}`, pid)), pages };
}

async function seedLoad(server, bearer) {
  const ids = [];
  for (let i = 0; i < 100; ++i) {
    const t = await server.createToken('bizco', bearer, {
      label: `ci-${String(i).padStart(3, '0')}`,
      description: `pipeline ${i}`,
      resources: [{ type: 'TYPE_REPO', path: 'bizco/app', scopes: ['scope-image-pull'] },
        { type: 'TYPE_REPO', path: 'bizco/web', scopes: ['scope-image-push'] }],
    });
    ids.push(t.id);
  }
  // 5,000 deactivate + 5,000 activate: 10,000 audit events (plus the 100 creations).
  const jobs = [];
  for (let k = 0; k < 5000; ++k) jobs.push(ids[k % ids.length]);
  let next = 0;
  const worker = async (offset) => {
    // Each worker owns the tokens ≡ offset (mod 8), so no two PATCHes race on one token.
    for (let k = offset; k < jobs.length; k += 8) {
      for (const active of [false, true]) {
        const r = await server.request('PATCH', `/v2/orgs/bizco/access-tokens/${jobs[k]}`, {
          bearer, json: { is_active: active },
        });
        if (r.status !== 200) throw new Error(String(r));
      }
      ++next;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  return { seconds: (Date.now() - t0) / 1000, patches: next * 2 };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'oat-figures-'));
  const plainDir = join(dir, 'console-plain');
  let server;
  let builtServer;
  let browser;
  try {
    await seedFigures(dir);
    browser = await launchBrowser();
    const version = browser.version();

    say(`# measured ${new Date().toISOString().slice(0, 10)}, Chromium ${version} (${CHROMIUM}), headless, ` +
      `1440x900 CSS px, device scale 1, console ${CONSOLE_DIR}`);
    say();

    // 1. Size.
    const sizes = fileSizes(CONSOLE_DIR);
    say('## Size');
    say();
    header('file', 'raw', 'gzip -9', 'brotli -q 11');
    for (const f of sizes) row(f.name, kb(f.raw), kb(f.gz), kb(f.br));
    const app = sizes.filter((f) => /^oat_console\.[0-9a-f]{12}\.(wasm|js)$/.test(f.name));
    row(bold('program (wasm + js)'), bold(kb(total(app, 'raw'))), bold(kb(total(app, 'gz'))), bold(kb(total(app, 'br'))));
    say();
    // A copy of the console without its precompressed siblings, and the build as it is.
    cpSync(CONSOLE_DIR, plainDir, { recursive: true, filter: (src) => !PACKED.test(src) });
    server = await Oatd.start(dir, { args: consoleArgs(plainDir) });
    builtServer = await Oatd.start(dir, { args: consoleArgs(CONSOLE_DIR) });
    const kinds = [
      ['without precompressed files', await transferred(browser, server)],
      ['as built, gzip only', await transferred(browser, builtServer, { 'Accept-Encoding': 'gzip, deflate' })],
      ['as built (Brotli)', await transferred(browser, builtServer)],
    ];
    say('Received by Chromium on a first visit (Resource Timing `transferSize`: body + headers):');
    say();
    header('file', ...kinds.map(([what]) => what));
    for (const e of kinds[0][1]) {
      row(e.name.replace(/\.[0-9a-f]{12}\./, '.<hash>.'), ...kinds.map(([, list]) => {
        const x = list.find((y) => y.name === e.name);
        return x ? kb(x.transfer) : '-';
      }));
    }
    row(bold('total'), ...kinds.map(([, list]) => bold(kb(total(list, 'transfer')))));
    say();

    // 2. First frame (cold: a fresh context each time), as built.
    say(`## Time to the console (${RUNS} cold loads)`);
    say();
    const runs = [];
    for (let i = 0; i < RUNS; ++i) runs.push(await firstFrame(browser, builtServer));
    const first = runs.map((r) => r.first);
    say(`First frame: median ${ms(median(first))}, min ${ms(Math.min(...first))}, max ${ms(Math.max(...first))} ` +
      `(${first.map((f) => f.toFixed(0)).join(', ')} ms).`);
    say();
    say('The steps, each the median over the loads, from navigation start:');
    say();
    header('step', 'median');
    const steps = [
      ['loader.js runs', 'oat:loader'], ['WebGL 2 context made', 'oat:webgl'], ['config.json read', 'oat:config'],
      ['program compiled (streaming)', 'oat:compiled'], ['runtime ready, main() starts', 'oat:runtime'],
    ];
    for (const [what, name] of steps) {
      const values = runs.map((r) => r.marks[name]).filter((v) => v !== undefined);
      if (values.length) row(what, ms(median(values)));
    }
    row('.wasm fully received', ms(median(runs.map((r) => r.wasmEnd))));
    row(bold('first frame of the console'), bold(ms(median(first))));
    say();
    if (LOAD_ONLY) return;

    // 3. Frame time under load.
    const bearer = await server.signIn('owner');
    const seeded = await seedLoad(server, bearer);
    const audit = await server.auditTotal('bizco', bearer);
    const tokens = (await server.tokens('bizco', bearer)).length;
    say(`## Frame time: ${tokens} tokens, ${audit} audit events (seeded with ${seeded.patches} PATCHes ` +
      `in ${seeded.seconds.toFixed(1)} s)`);
    say();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await context.addInitScript(FRAME_TIMING_SCRIPT);
    const page = await context.newPage();
    const c = new Console({ server, browser }, context, page, 'figures-frames');
    await c.goto('#/orgs/bizco/tokens');
    await c.signIn('owner', { org: 'bizco' });
    await c.waitForStatus((s) => s.tokens === 100, '100 tokens loaded');
    serverPid = server.child.pid;
    if (OWN_CORE) {
      say(`While the frames are timed, the page's main thread is alone on core ${CORES - 1}; everything ` +
        'else of the browser, oatd and this script on the others (--own-core).');
      say();
    }
    say(`${SECONDS} s per row. frames: animation frames handled / frames the console drew (it skips ` +
      'frames in which nothing can have changed). interval: between animation frames. callback: the ' +
      'console\'s frame callback in drawn frames, including waits for the GPU process (SwiftShader) ' +
      'inside WebGL getParameter. cpu: the callback less those waits (Dear ImGui, the views, issuing ' +
      'WebGL calls), drawn frames only. layer: the part of cpu spent in the semantic layer ' +
      '(web/src/semantics.h: describing the widgets, comparing, and the page applying what changed), ' +
      'as the console times it. layout: the page\'s style and layout right after the frame (the browser ' +
      'does it before painting in any case; timed here by forcing it): the cost of the elements the ' +
      'frame changed.');
    say();
    header('view', 'frames / drawn', 'interval p50', 'interval p95', 'callback p50', 'cpu p50', 'cpu p95', 'cpu max',
      'layer p50', 'layer p95', 'layout p50', 'layout p95');
    frameRow('tokens table, just loaded (the page gets the rows out of sight)', await frameTimes(c, SECONDS, { moveMouse: false }));
    // The rows below fill in a frame at a time (web/src/semantics.h, RowWanted): the rows that
    // follow time the table once the page has them all (the header's and one a token).
    await c.page.waitForFunction((n) => document.querySelectorAll('#oat-semantics [role=row]').length > n, tokens,
      { timeout: 120_000 });
    frameRow('tokens table, mouse sweeping the rows', await frameTimes(c, SECONDS));
    frameRow('tokens table, wheel scrolling', await frameTimes(c, SECONDS, { wheel: true }));
    let loadSentence = '';
    if (await c.hasWidget('nav.activity')) {
      const t0 = Date.now();
      await c.click('nav.activity');
      // Pages of 100 follow in the background up to 10,000 events; "Load all" fetches the rest.
      await c.waitForStatus((st, n) => st.screen === 'activity' && st.pending === 0 && !st.loading &&
        st['activity.total'] === n && st['activity.rows'] === Math.min(n, 10000),
      'the activity log loaded', { arg: audit, timeout: 180_000 });
      if (await c.hasWidget('activity.all')) {
        await c.click('activity.all');
        await c.waitForStatus((st, n) => st.pending === 0 && !st.loading && st['activity.rows'] === n,
          'every event loaded', { arg: audit, timeout: 180_000 });
      }
      const loadSeconds = (Date.now() - t0) / 1000;
      frameRow(`activity view (${audit} events), idle`, await frameTimes(c, SECONDS, { moveMouse: false }));
      frameRow('activity view, mouse sweeping', await frameTimes(c, SECONDS));
      frameRow('activity view, wheel scrolling', await frameTimes(c, SECONDS, { wheel: true }));
      await c.shot('activity');
      await c.click('nav.tokens');
      await c.waitIdle('tokens');
      loadSentence = `Loading the activity view (${audit} events in pages of 100: the background load up to ` +
        `10,000, then "Load all"; from the first click to the last page): ${loadSeconds.toFixed(1)} s.`;
    } else {
      row('activity view', '-', '(not in this console)', '', '', '', '', '', '', '', '', '');
    }
    await c.shot('load');
    await c.selectOrg('emptyco');
    frameRow('for comparison: an empty tokens table, idle', await frameTimes(c, SECONDS, { moveMouse: false }));
    if (loadSentence) {
      say();
      say(loadSentence);
    }
    await context.close();
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await builtServer?.stop();
    rmSync(dir, { recursive: true, force: true });
    await dropTestDatabase(dir);
  }
}

await main();

