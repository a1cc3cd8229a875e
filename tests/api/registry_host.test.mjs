// oatd serve --registry-host HOST[:PORT]: the registry the console's "docker login HOST -u ORG"
// line names, added to the console's config.json as oatd serves it; a value that is not a
// registry address stops oatd at start, saying why.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { Oatd, makeDataDir, removeDataDir, run } from './harness.mjs';

const OATD = process.env.OATD;
const dirs = [];
const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) await removeDataDir(d);
});

function consoleDir(config) {
  const dir = makeDataDir('api');
  dirs.push(dir);
  const site = join(dir, 'console');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<h1>console</h1>');
  if (config !== undefined) writeFileSync(join(site, 'config.json'), config);
  return { dir, site };
}

test('config.json carries the registry host beside what the file says', async () => {
  const { dir, site } = consoleDir('{"apiBase": "https://api.example"}');
  const server = await Oatd.start(dir, { args: ['--console', site, '--registry-host', 'registry.example.com:5000'] });
  servers.push(server);
  const r = await server.get('/config.json');
  assert.equal(r.status, 200, String(r));
  assert.deepEqual(r.body, { apiBase: 'https://api.example', registryHost: 'registry.example.com:5000' });
  assert.equal(r.headers['cache-control'], 'no-cache');
});

test('without a config.json in the folder it is the registry host alone', async () => {
  const { dir, site } = consoleDir();
  const server = await Oatd.start(dir, { args: ['--console', site, '--registry-host', '[2001:db8::1]:443'] });
  servers.push(server);
  assert.deepEqual((await server.get('/config.json')).body, { registryHost: '[2001:db8::1]:443' });
});

test('a value that is not HOST[:PORT] stops oatd at start with one sentence', async () => {
  const { dir, site } = consoleDir('{}');
  for (const bad of ['https://registry.example.com', 'registry.example.com/acme', 'host:99999']) {
    const r = await run(OATD, ['serve', '--db', join(dir, 'unused.db'), '--console', site, '--registry-host', bad]);
    assert.notEqual(r.code, 0, bad);
    assert.match(r.stderr, /is not a registry address: give HOST or HOST:PORT/, r.stderr);
  }
});
