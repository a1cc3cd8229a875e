// The console's text is drawn by the browser from the system's fonts (web/src/glyphs.h): the
// atlas the browser filled holds ink where text is, accented letters and typographic marks
// included, in both themes and at a device pixel ratio of 2. The checks read the page's pixels
// (a screenshot decoded by the page itself): a blank or misplaced atlas draws nothing there.
import assert from 'node:assert/strict';
import { consoleTest, inkIn, inkOver, pixelsIn, useConsole, waitFor } from './harness.mjs';

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
