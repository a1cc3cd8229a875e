// The page around the console (shell/): a progress bar while the program downloads, compressed
// (Brotli, gzip) or not, a plain message when the browser has no WebGL 2, and caching.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARTIFACTS, WAIT_MS, launchBrowser, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url);

// The program as the loader fetches it: named by its content (the build writes the names into
// the page).
const PROGRAM_RE = /^\/oat_console\.[0-9a-f]{12}\.wasm$/;
const GLUE_RE = /^\/oat_console\.[0-9a-f]{12}\.js$/;

// What the splash shows on every animation frame, from the page's first script on.
const RECORD_SPLASH = () => {
  window.__splash = [];
  const sample = () => {
    const fill = document.getElementById('bar-fill');
    if (fill) {
      window.__splash.push({
        width: parseFloat(fill.style.width || '0'),
        indeterminate: fill.parentElement.classList.contains('indeterminate'),
        status: document.getElementById('splash-status').textContent,
        hidden: document.getElementById('splash').classList.contains('hidden'),
      });
    }
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
};

/** Opens the console over a link of BYTES_PER_SECOND; the splash's samples and the program's answer. */
async function loadSlowly(browser, name, { headers = {}, bytesPerSecond = 150 * 1024 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, extraHTTPHeaders: headers });
  const page = await context.newPage();
  try {
    await page.addInitScript(RECORD_SPLASH);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 20, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
    });
    const wasm = page.waitForResponse((r) => PROGRAM_RE.test(new URL(r.url()).pathname), { timeout: WAIT_MS });
    await page.goto(`${world.server.url}/?test=1`, { timeout: WAIT_MS });
    const answer = await wasm;
    await page.waitForFunction(() => (window.__oat_frames || 0) >= 2, null, { timeout: 60_000 });
    await page.waitForFunction(() => document.getElementById('splash').classList.contains('hidden'), null,
      { timeout: WAIT_MS });
    await page.screenshot({ path: `${ARTIFACTS}/shell.${name}.png` });
    return { samples: await page.evaluate(() => window.__splash), encoding: answer.headers()['content-encoding'] };
  } finally {
    await context.close();
  }
}

function assertProgress(samples) {
  const downloading = samples.filter((s) => s.status === 'Downloading\u2026' && !s.indeterminate);
  const between = downloading.filter((s) => s.width > 0 && s.width < 100);
  assert.ok(between.length >= 2, `the bar moved through the download: ${JSON.stringify(samples.slice(0, 40))}`);
  for (let i = 1; i < downloading.length; ++i) {
    assert.ok(downloading[i].width >= downloading[i - 1].width, 'the bar never goes back');
  }
  assert.ok(samples.some((s) => s.status === 'Starting\u2026'), 'then "Starting…"');
  assert.equal(samples.at(-1).hidden, true, 'and the splash goes once the console draws');
}

test('a Brotli download fills the progress bar (the size written into the page)', async () => {
  const { samples, encoding } = await loadSlowly(world.browser, 'progress-brotli');
  assert.equal(encoding, 'br', 'oatd sent the program precompressed with Brotli');
  assertProgress(samples);
});

test('a gzip download, to a browser that accepts no Brotli, fills the progress bar too', async () => {
  const { samples, encoding } = await loadSlowly(world.browser, 'progress-gzip', {
    headers: { 'Accept-Encoding': 'gzip, deflate' },
  });
  assert.equal(encoding, 'gzip', 'oatd sent the gzip sibling');
  assertProgress(samples);
});

test('an uncompressed download fills the progress bar (the size from Content-Length)', async () => {
  const { samples, encoding } = await loadSlowly(world.browser, 'progress-identity', {
    headers: { 'Accept-Encoding': 'identity' }, bytesPerSecond: 300 * 1024,
  });
  assert.equal(encoding, undefined, 'the program came uncompressed');
  assertProgress(samples);
});

// Counts the WebGL state reads that go to the GPU process (WebGL 2's getParameter, whatever
// wraps it on the context).
const COUNT_GL_READS = () => {
  const reads = (window.__gl_reads = {});
  const proto = window.WebGL2RenderingContext?.prototype;
  if (!proto) return;
  const get = proto.getParameter;
  proto.getParameter = function (p) {
    reads[p] = (reads[p] || 0) + 1;
    return get.call(this, p);
  };
};

test('a drawn frame reads no drawing state back from the GPU process (the scissor box, the blending)', async () => {
  const context = await world.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.addInitScript(COUNT_GL_READS);
    await page.goto(`${world.server.url}/?test=1`, { timeout: WAIT_MS });
    await page.waitForFunction(() => (window.__oat_frames || 0) >= 2, null, { timeout: 60_000 });
    const state = await page.evaluate(() => {
      const gl = WebGL2RenderingContext;
      return [gl.SCISSOR_BOX, gl.BLEND_SRC_RGB, gl.BLEND_DST_RGB, gl.BLEND_SRC_ALPHA, gl.BLEND_DST_ALPHA,
        gl.BLEND_EQUATION_RGB, gl.BLEND_EQUATION_ALPHA];
    });
    const reads = () => page.evaluate((state) => state.reduce((n, p) => n + (window.__gl_reads[p] || 0), 0), state);
    const before = await reads();
    const frames = await page.evaluate(() => window.__oat_frames);
    // The pointer over the sign-in card: frames that draw (hover, the cursor).
    for (let i = 0; i < 12; ++i) {
      await page.mouse.move(500 + i * 20, 300 + i * 15);
      await page.waitForTimeout(60);
    }
    assert.ok(await page.evaluate(() => window.__oat_frames) - frames >= 5, 'frames were drawn');
    assert.equal(await reads() - before, 0, 'state reads that wait on the GPU process');
    await page.screenshot({ path: `${ARTIFACTS}/shell.gl-state.png` });
  } finally {
    await context.close();
  }
});

test('without WebGL 2 the page says so, and the program never arrives or runs', async () => {
  const browser = await launchBrowser({ args: ['--disable-webgl', '--disable-webgl2'] });
  try {
    const page = await browser.newPage();
    const requested = [];
    const received = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    page.on('requestfinished', (r) => received.push(new URL(r.url()).pathname));
    await page.goto(`${world.server.url}/?test=1`, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.getElementById('splash').classList.contains('failed'), null,
      { timeout: WAIT_MS });
    assert.equal(await page.textContent('#splash-status'),
      'The OAT console needs WebGL 2, which this browser does not offer or has turned off.');
    assert.ok(await page.isVisible('#splash-status'));
    await page.screenshot({ path: `${ARTIFACTS}/shell.no-webgl2.png` });
    // The download may have started (it runs beside the making of the WebGL context), but was
    // stopped; the glue was never asked for.
    assert.ok(!received.some((p) => PROGRAM_RE.test(p)), `received: ${received.join(', ')}`);
    assert.ok(!requested.some((p) => GLUE_RE.test(p)), `requests: ${requested.join(', ')}`);
    assert.equal(await page.evaluate(() => window.__oat_frames), undefined, 'the console never ran');
  } finally {
    await browser.close();
  }
});

test('a repeat visit transfers under 5 KiB: the program is kept for a year, the rest revalidated', async () => {
  const context = await world.browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const visit = async () => {
      const bytes = new Map();  // url -> bytes over the wire (headers and body)
      const onFinished = (e) => bytes.set(e.requestId, e.encodedDataLength);
      cdp.on('Network.loadingFinished', onFinished);
      const program = page.waitForResponse((r) => PROGRAM_RE.test(new URL(r.url()).pathname), { timeout: WAIT_MS });
      await page.goto(`${world.server.url}/?test=1`, { timeout: WAIT_MS });
      const answer = await program;
      await page.waitForFunction(() => (window.__oat_frames || 0) >= 2, null, { timeout: 60_000 });
      cdp.off('Network.loadingFinished', onFinished);
      return { total: [...bytes.values()].reduce((a, b) => a + b, 0), program: answer };
    };
    const first = await visit();
    assert.equal(first.program.headers()['cache-control'], 'public, max-age=31536000, immutable');
    assert.ok(first.total > 200 * 1024, `the first visit downloads the program: ${first.total} bytes`);
    const again = await visit();
    assert.ok(again.total < 5 * 1024, `a repeat visit transferred ${again.total} bytes`);
    console.log(`shell: first visit ${first.total} bytes over the wire, repeat visit ${again.total} bytes`);
  } finally {
    await context.close();
  }
});
