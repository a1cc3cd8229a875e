// "Last used": a sign-in at the token service records when and from where a token was used;
// the registry's notifications count its pulls and pushes. oatd writes both in batches, once a
// second, so the tests poll the token for a few seconds.
//
// The registry's events name the organization and the client address, not the token: oatd
// credits the token that last signed in for that organization from that address. The tests run
// one at a time and wait for each count, so nothing else signs in meanwhile.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Stack, repo, sleep, waitFor } from './harness.mjs';

let stack;
let ci;  // acme/app with scope-image-push

before(async () => {
  stack = await Stack.start();
  ci = await stack.seed('acme/app');
  // Let the push's notification land before other tokens sign in from the same address.
  await stack.tokenWhen(ci.id, (t) => t.push_count >= 1);
});

after(async () => { await stack?.stop(); });

test('a token never used shows no last use and no counts', async () => {
  const { id } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
  const token = (await stack.getToken('acme', id)).body;
  assert.equal(token.last_used_at, null);
  assert.deepEqual(token.last_used_addresses, []);
  assert.equal(token.pull_count, 0);
  assert.equal(token.push_count, 0);
});

test('after a pull the token shows when and from which address it was last used', async () => {
  const { id, token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
  const before = Math.floor(Date.now() / 1000) * 1000;
  const result = await stack.pull('acme/app', 'acme', token);
  assert.equal(result.code, 0, stack.explain(result));
  const seen = await stack.tokenWhen(id, (t) => t.last_used_at !== null);
  assert.notEqual(seen.last_used_at, null, `last_used_at still null after 8 s\n${stack.logs()}`);
  assert.match(seen.last_used_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const at = Date.parse(seen.last_used_at);
  assert.ok(at >= before && at <= Date.now(), `last_used_at ${seen.last_used_at}`);
  assert.equal(seen.last_used_addresses[0], '127.0.0.1');
});

test('each pull increments pull_count', async () => {
  const { id, token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
  const first = await stack.pull('acme/app', 'acme', token);
  assert.equal(first.code, 0, stack.explain(first));
  const once = await stack.tokenWhen(id, (t) => t.pull_count >= 1);
  assert.ok(once.pull_count >= 1, `pull_count ${once.pull_count} after a pull\n${stack.logs()}`);

  const second = await stack.pull('acme/app', 'acme', token);
  assert.equal(second.code, 0, stack.explain(second));
  const twice = await stack.tokenWhen(id, (t) => t.pull_count > once.pull_count);
  assert.ok(twice.pull_count > once.pull_count,
            `pull_count stayed ${twice.pull_count} after another pull\n${stack.logs()}`);
  assert.equal(twice.push_count, 0);
});

test('a push increments push_count', async () => {
  const before = (await stack.getToken('acme', ci.id)).body.push_count;
  const result = await stack.push('acme/app', 'acme', ci.token, 'again');
  assert.equal(result.code, 0, stack.explain(result));
  const after = await stack.tokenWhen(ci.id, (t) => t.push_count > before);
  assert.equal(after.push_count, before + 1, `push_count ${before} -> ${after.push_count}`);
});

test('a pull is credited to the token whose grant made it, not to the last token signed in',
     async () => {
       const a = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')], { label: 'A' });
       const b = await stack.createToken('acme', [repo('acme/web', 'scope-image-pull')], { label: 'B' });
       // A signs in for a pull of acme/app; then B signs in (for acme/web) from the same address;
       // then A's registry token pulls the manifest.
       const jwtA = (await stack.oatd.tokenService({ user: 'acme', secret: a.token,
                                                    scopes: ['repository:acme/app:pull'] })).body.token;
       await stack.oatd.tokenService({ user: 'acme', secret: b.token, scopes: ['repository:acme/web:pull'] });
       const manifest = await fetch(`http://${stack.registryHost}/v2/acme/app/manifests/v1`, {
         headers: { Authorization: `Bearer ${jwtA}`, Accept: 'application/vnd.oci.image.manifest.v1+json' },
       });
       assert.equal(manifest.status, 200);
       await manifest.arrayBuffer();
       const count = async (t) => (await stack.getToken('acme', t.id)).body.pull_count;
       await waitFor(async () => (await count(a)) + (await count(b)) >= 1, 'a pull counted',
                     { timeout: 8000, interval: 200 });
       await sleep(1200);  // one more flush
       assert.equal(await count(b), 0, 'B pulled nothing');
       assert.equal(await count(a), 1, 'A pulled acme/app once');
     });
