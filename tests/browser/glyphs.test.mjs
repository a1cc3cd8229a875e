// The console's text is drawn by the browser from the system's fonts (web/src/glyphs.h): the
// atlas the browser filled holds ink where text is, accented letters and typographic marks
// included, in both themes and at a device pixel ratio of 2. The checks read the page's pixels
// (a screenshot decoded by the page itself): a blank or misplaced atlas draws nothing there.
import assert from 'node:assert/strict';
import { consoleTest, useConsole } from './harness.mjs';

const LABEL = 'Déjà vu “café” – naïve';

const world = useConsole(import.meta.url, {
  async setup(w) {
    await w.server.createToken('acme', w.bearer, { label: LABEL });
  },
});

/**
 * How many pixels inside RECT (CSS pixels) differ clearly from the most common colour there (the
 * background): the text's ink.
 */
async function inkIn(c, rect) {
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
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) > 150) ++ink;
    }
    return ink / (k * k);  // in CSS pixels
  }, [png.toString('base64'), scale]);
}

consoleTest(world, 'the sign-in button and a label with accents and typographic marks have ink', async (c) => {
  const button = await c.waitForWidget('signin.submit');
  assert.ok(await inkIn(c, button) > 40, 'the "Sign in" on the button is drawn');

  await c.signIn('owner', { org: 'acme' });
  const label = await c.waitForWidget('tokens.row.0.label');
  assert.equal(label.text, LABEL);
  const ink = await inkIn(c, label);
  assert.ok(ink > 60, `the label is drawn (${ink} px of ink)`);
  await c.shot('label');
});

consoleTest(world, 'at a device pixel ratio of 2 the glyphs are drawn too', async (c) => {
  const button = await c.waitForWidget('signin.submit');
  assert.ok(await inkIn(c, button) > 40, 'the "Sign in" on the button is drawn');
  await c.shot('ratio-2');
}, { scale: 2 });
