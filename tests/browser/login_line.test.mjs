// The new token's "Sign in with it" line names the organization's registry (oatd serve
// --registry-host), never a bare `docker login -u ORG`, which would sign in to Docker Hub.
import assert from 'node:assert/strict';
import { consoleTest, useConsole } from './harness.mjs';

const world = useConsole(import.meta.url, { serveArgs: ['--registry-host', 'registry.example.com:5000'] });

consoleTest(world, 'the login line names the registry oatd was given', async (c) => {
  await c.signIn('owner', { org: 'acme' });
  await c.openGenerate();
  await c.type('generate.label', 'login line');
  await c.addRepository('app');
  await c.waitForStatus((st) => st['generate.valid'] === 1, 'a valid draft');
  await c.click('generate.submit');
  await c.waitForWidget('created.token');
  assert.equal(await c.text('created.login'), 'docker login registry.example.com:5000 -u acme');
  await c.shot('created');
});
