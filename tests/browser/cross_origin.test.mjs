// The console hosted on another origin: a copy of the built console (a folder of static files)
// whose config.json names oatd ({"apiBase": "http://127.0.0.1:<oatd port>"}), served by a
// plain static host written here (node:http, on its own port: another origin). oatd serves the
// API only (no --console) and allows that origin: `oatd serve --cors-origin ORIGIN`. A second
// static host on yet another port is not in the allowlist: the browser refuses the answers and
// the console says so in words.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { after } from 'node:test';
import { CONSOLE_DIR, addedToken, consoleTest, registrySignIn, useConsole } from './harness.mjs';

// What a status-0 failure (no answer: a network failure or a CORS refusal) says to people:
// console::net::kUnreachable, web/src/net.h.
const UNREACHABLE = 'Could not reach the server (a network failure or a CORS refusal).';

// The folder is served under a path, as a static host often does (https://host/console/).
const PREFIX = '/console/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * A static host of ROOT at http://127.0.0.1:<any free port>/console/, GET and HEAD only, that
 * remembers every request it was sent ({method, path, status}).
 */
function staticHost(root) {
  const hits = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://host').pathname;
    const answer = (status, type, body) => {
      hits.push({ method: req.method, path, status });
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'text/plain', 'method not allowed\n');
    if (path === PREFIX.slice(0, -1)) {
      hits.push({ method: req.method, path, status: 301 });
      res.writeHead(301, { location: PREFIX, 'content-length': 0 });
      return res.end();
    }
    if (!path.startsWith(PREFIX)) return answer(404, 'text/plain', 'not found\n');
    let rel;
    try {
      rel = decodeURIComponent(path.slice(PREFIX.length)) || 'index.html';
    } catch {
      return answer(400, 'text/plain', 'bad path\n');
    }
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep)) return answer(404, 'text/plain', 'not found\n');
    let body;
    try {
      if (!statSync(file).isFile()) return answer(404, 'text/plain', 'not found\n');
      body = readFileSync(file);
    } catch {
      return answer(404, 'text/plain', 'not found\n');
    }
    return answer(200, MIME[extname(file)] || 'application/octet-stream', body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        base: `${origin}${PREFIX}`,
        hits,
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}

const hosts = {};
const world = useConsole(import.meta.url, {
  // The folder and both hosts before oatd, which needs the allowed origin.
  prepare: async (w) => {
    hosts.root = join(w.dir, 'static');
    cpSync(CONSOLE_DIR, hosts.root, { recursive: true });
    hosts.allowed = await staticHost(hosts.root);
    hosts.refused = await staticHost(hosts.root);
  },
  consoleDir: null, // oatd serves the API only: the page can come from the static host alone
  serveArgs: () => ['--cors-origin', hosts.allowed.origin],
  // Now that oatd's port is known: the config file next to the page names it.
  setup: async (w) => {
    writeFileSync(join(hosts.root, 'config.json'), `${JSON.stringify({ apiBase: w.server.url }, null, 2)}\n`);
  },
});
after(async () => {
  await hosts.allowed?.close();
  await hosts.refused?.close();
});

/** Requests the page made to oatd's origin, and those the browser failed (CORS, network). */
function watchApi(c) {
  const seen = { sent: [], failed: [] };
  const api = (r) => r.url().startsWith(`${world.server.url}/`);
  c.page.on('request', (r) => api(r) && seen.sent.push(`${r.method()} ${new URL(r.url()).pathname}`));
  c.page.on('requestfailed', (r) => api(r) &&
    seen.failed.push(`${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
  return seen;
}

/** oatd's answer to a browser's CORS preflight for a sign-in from ORIGIN. */
function preflight(origin) {
  return world.server.request('OPTIONS', '/v2/auth/token', {
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
}

/** The static host's own view: it served the console and its config, and never saw the API. */
function assertStaticOnly(host) {
  const paths = host.hits.map((h) => `${h.method} ${h.path} ${h.status}`);
  // The program by the names the build wrote into the page (its content's hash).
  for (const f of ['', 'loader.js', 'config.json', /^oat_console\.[0-9a-f]{12}\.js$/,
    /^oat_console\.[0-9a-f]{12}\.wasm$/]) {
    const served = (path) => (typeof f === 'string' ? path === `${PREFIX}${f}`
      : path.startsWith(PREFIX) && f.test(path.slice(PREFIX.length)));
    assert.ok(host.hits.some((h) => served(h.path) && h.status === 200),
      `the static host served ${PREFIX}${f}: ${paths.join(', ')}`);
  }
  assert.ok(!host.hits.some((h) => h.path.includes('/v2/') || h.path === '/token'),
    `no API request went to the static host: ${paths.join(', ')}`);
}

consoleTest(world, 'hosted on an allowed origin: sign in, the table, generate a token', async (c) => {
  // The page really is on the static host's origin, and the API on oatd's.
  assert.equal(new URL(c.page.url()).origin, hosts.allowed.origin);
  assert.notEqual(hosts.allowed.origin, world.server.url);
  const seen = watchApi(c);
  // The server answers the allowed origin's preflight with its CORS headers.
  const allowed = await preflight(hosts.allowed.origin);
  assert.equal(allowed.headers['access-control-allow-origin'], hosts.allowed.origin, String(allowed));

  const made = await world.server.createToken('acme', world.bearer, { label: 'made via the API' });
  await c.shot('signin');
  let s = await c.signIn('owner', { org: 'acme' });
  assert.equal(s.screen, 'tokens');
  assert.equal(s.org, 'acme');
  const before = await world.server.tokens('acme', world.bearer);
  assert.equal(s.tokens, before.length, 'the table holds what the API lists');
  assert.ok((await c.rowOf('made via the API')) >= 0, `the API's token is a row: ${await c.rowLabels()}`);
  await c.waitForWidget('topbar.signout');
  assert.equal(new URL(c.page.url()).hash, '#/orgs/acme/tokens');
  await c.shot('table');

  // Generate: a label and one repository.
  await c.openGenerate();
  await c.type('generate.label', 'cross-origin ci');
  await c.addRepository('app');
  s = await c.waitForStatus((st) => st['generate.valid'] === 1, 'a valid draft');
  assert.equal(s['generate.repos'], 1);
  await c.shot('dialog-filled');
  await c.click('generate.submit');
  // Copy: the clipboard permission was granted to the page's (static) origin.
  const secret = await c.copySecret();
  await c.shot('created');

  // The server has it: one more token, with acme/app only.
  const one = await addedToken(world, 'acme', before, 'cross-origin ci');
  assert.notEqual(one.id, made.id);
  assert.deepEqual(one.resources.map((r) => r.path), ['acme/app']);
  assert.ok(one.resources[0].scopes.includes('scope-image-pull'), JSON.stringify(one.resources));
  assert.equal(one.is_active, true);
  // The copied secret is that token: the registry's token service takes it.
  await registrySignIn(world.server, 'acme', secret);

  // Closed, the table lists it, and still does after a refresh (another cross-origin GET).
  await c.closeCreated();
  const row = await c.waitForRow('cross-origin ci');
  assert.equal((await c.status())[`tokens.row.${row}.state`], 'Active');
  s = await c.refresh();
  assert.equal(s.tokens, before.length + 1);
  assert.ok((await c.rowOf('cross-origin ci')) >= 0, `after a refresh: ${await c.rowLabels()}`);
  await c.shot('refreshed');

  // Every API call crossed to oatd and none failed; the static host never saw one.
  assert.ok(seen.sent.includes('POST /v2/auth/token'), seen.sent.join(', '));
  assert.ok(seen.sent.some((r) => r.startsWith('POST /v2/orgs/acme/access-tokens')), seen.sent.join(', '));
  assert.deepEqual(seen.failed, [], 'no API request failed');
  assertStaticOnly(hosts.allowed);
}, { base: () => hosts.allowed.base });

consoleTest(world, 'hosted on an origin not in the allowlist: sign-in fails in words, nothing changes', async (c) => {
  assert.equal(new URL(c.page.url()).origin, hosts.refused.origin);
  const seen = watchApi(c);
  // The server's side of the refusal: its preflight answer carries no CORS header for this origin.
  const refused = await preflight(hosts.refused.origin);
  assert.equal(refused.headers['access-control-allow-origin'], undefined, String(refused));

  const before = {
    acme: await world.server.snapshot('acme', world.bearer),
    bizco: await world.server.snapshot('bizco', world.bearer),
  };

  // The right password: only the origin is wrong.
  await c.submitSignIn('owner');
  const error = await c.waitForWidget('signin.error');
  assert.ok(error.w > 0 && error.h > 0, 'the error is drawn');
  const s = await c.waitIdle('signin');
  assert.equal(s.screen, 'signin');
  assert.equal(s['signin.error'], UNREACHABLE, 'the status publishes the words');
  assert.equal(s.errors?.['signin.error'], UNREACHABLE, 'and lists them among the errors');
  assert.equal(error.text, UNREACHABLE, 'the widget shows them');
  assert.equal(await c.hasWidget('topbar.signout'), false);
  assert.equal(await c.hasWidget('tokens.generate'), false);
  await c.shot('refused');

  // The browser sent the sign-in and got no usable answer.
  assert.ok(seen.sent.includes('POST /v2/auth/token'), `the sign-in was attempted: ${seen.sent.join(', ')}`);
  assert.ok(seen.failed.some((f) => f.startsWith('POST /v2/auth/token')),
    `the browser failed the sign-in: ${seen.failed.join(', ')}`);

  // Nothing changed on the server, which still signs the owner in.
  assert.deepEqual(await world.server.snapshot('acme', world.bearer), before.acme);
  assert.deepEqual(await world.server.snapshot('bizco', world.bearer), before.bizco);
  await world.server.signIn('owner');
  assertStaticOnly(hosts.refused);
}, { base: () => hosts.refused.base });
