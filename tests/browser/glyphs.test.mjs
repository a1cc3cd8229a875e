// The console's text is drawn by the browser from the system's fonts (web/src/glyphs.h): the
// atlas the browser filled holds ink where text is, accented letters and typographic marks
// included, in both themes and at a device pixel ratio of 2. The checks read the page's pixels
// (a screenshot decoded by the page itself): a blank or misplaced atlas draws nothing there.
import assert from 'node:assert/strict';
import { consoleTest, useConsole, waitFor } from './harness.mjs';

const LABEL = 'Déjà vu “café” – naïve';
// Characters the first atlas lacks (CJK, Cyrillic), and what Dear ImGui draws for each of them
// when its font lacks it: the fallback '?'.
const FOREIGN = '東京 Кирилл';
const FALLBACK = '?? ??????';
// An emoji past the Basic Multilingual Plane (U+1F680), drawn in its own colours.
const EMOJI = '🚀 ship it';

const world = useConsole(import.meta.url, {
  async setup(w) {
    await w.server.createToken('acme', w.bearer, { label: LABEL });
    await w.server.createToken('acme', w.bearer, { label: FOREIGN });
    await w.server.createToken('acme', w.bearer, { label: FALLBACK });
    await w.server.createToken('acme', w.bearer, { label: EMOJI });
  },
});

/** The published widget of the tokens table whose text is TEXT. */
async function rowLabel(c, text) {
  const handle = await c.page.waitForFunction((t) => Object.entries(window.__oat_widgets || {})
    .find(([name, w]) => /^tokens\.row\.\d+\.label$/.test(name) && w.text === t)?.[1], text, { polling: 'raf' });
  return handle.jsonValue();
}

/**
 * How many pixels inside RECT (CSS pixels) differ clearly from the most common colour there (the
 * background): the text's ink; and how many of them are clearly coloured (not grey).
 */
async function pixelsIn(c, rect) {
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

const inkIn = async (c, rect) => (await pixelsIn(c, rect)).ink;

/**
 * The ink inside the rectangle PLACE() answers once there is more than MIN px of it: a widget is
 * published by the frame that draws it, and the screen shows that frame once the browser has
 * drawn it, not before. PLACE is asked again each time (the widget may still be moving).
 */
async function inkOver(c, place, min, what) {
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

consoleTest(world, 'the sign-in button and a label with accents and typographic marks have ink', async (c) => {
  await inkOver(c, () => c.waitForWidget('signin.submit'), 40, 'the "Sign in" on the button drawn');

  await c.signIn('owner', { org: 'acme' });
  await inkOver(c, () => rowLabel(c, LABEL), 60, 'the label drawn');
  await c.shot('label');
});

consoleTest(world, 'at a device pixel ratio of 2 the glyphs are drawn too', async (c) => {
  await inkOver(c, () => c.waitForWidget('signin.submit'), 40, 'the "Sign in" on the button drawn');
  await c.shot('ratio-2');
}, { scale: 2 });

consoleTest(world, 'characters the first atlas lacks are drawn once shown, not as the fallback', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  const foreign = await rowLabel(c, FOREIGN);
  const fallback = await rowLabel(c, FALLBACK);
  // Drawn as '?', the two labels would be the same width and the same ink.
  await c.page.waitForFunction(([t, w]) => Object.values(window.__oat_widgets || {})
    .some((x) => x.text === t && x.w > w * 1.2), [FOREIGN, fallback.w], { polling: 'raf' });
  const wide = await rowLabel(c, FOREIGN);
  assert.ok(wide.w > fallback.w * 1.2, `"${FOREIGN}" is ${wide.w} px wide, "${FALLBACK}" ${fallback.w} px`);
  const inkFallback = await inkOver(c, () => rowLabel(c, FALLBACK), 10, `"${FALLBACK}" drawn`);
  await inkOver(c, () => rowLabel(c, FOREIGN), inkFallback * 1.3, `"${FOREIGN}" drawn with its glyphs, against the fallback's ${inkFallback} px`);
  assert.ok(foreign.w <= wide.w, 'the label was measured again with its glyphs');
  await c.shot('foreign');
});

consoleTest(world, 'an emoji past the Basic Multilingual Plane is drawn, in its own colours', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  // Drawn as '?' (or as text, tinted), the label would have no coloured pixel.
  const coloured = await waitFor(async () => {
    const label = await rowLabel(c, EMOJI);
    const { coloured: n } = await pixelsIn(c, label);
    return n > 20 && n;
  }, 'the emoji in colour');
  assert.ok(coloured > 20, `${coloured} coloured px`);
  await c.shot('emoji');
});
