// What a token's resources let skopeo do against a real registry: push and pull per repository,
// org/* for present and future repositories, */*/public for other organizations' public ones.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { REFUSED, Stack, repo, waitFor } from './harness.mjs';

let stack;
let acmeCi;   // acme/* with scope-image-push: seeds acme's repositories
let otherCi;  // other/* with scope-image-push: seeds the other organization's repositories

const ok = (result) => assert.equal(result.code, 0, stack.explain(result));
const refused = (result) => {
  assert.notEqual(result.code, 0, `expected a refusal\n${stack.explain(result)}`);
  assert.match(result.stderr, REFUSED, stack.explain(result));
};
// Runs `operation` and asserts that the registry, not the token service, refused it: every
// sign-in succeeded (200, possibly with a partial or empty grant), and skopeo still failed.
async function refusedByRegistry(operation) {
  const mark = stack.accessLog.length;
  refused(await operation());
  const answers = await stack.tokenAnswers(mark);
  assert.ok(answers.length > 0 && answers.every((s) => s === 200),
            `token service answers ${JSON.stringify(answers)}: expected only 200s\n${stack.logs()}`);
}

before(async () => {
  stack = await Stack.start();
  acmeCi = await stack.createToken('acme', [repo('acme/*', 'scope-image-push')], { label: 'acme ci' });
  otherCi = await stack.createToken('other', [repo('other/*', 'scope-image-push')], { label: 'other ci' });
  for (const [repository, org, token] of [
    ['acme/app', 'acme', acmeCi.token],
    ['acme/web', 'acme', acmeCi.token],
    ['other/pub', 'other', otherCi.token],
    ['other/secret', 'other', otherCi.token],
  ]) {
    const result = await stack.push(repository, org, token);
    if (result.code !== 0) throw new Error(`seeding ${repository}: ${stack.explain(result)}`);
  }
});

after(async () => { await stack?.stop(); });

describe('a token for one repository', () => {
  test('with scope-image-push pushes an image to that repository', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-push')]);
    ok(await stack.push('acme/app', 'acme', token, 'pushed'));
  });

  test('with scope-image-push also pulls (push includes pull)', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-push')]);
    ok(await stack.pull('acme/app', 'acme', token));
  });

  test('with scope-image-pull pulls that repository', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
    ok(await stack.pull('acme/app', 'acme', token));
  });

  test('with scope-image-pull cannot push: the grant holds pull only and the registry refuses', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-pull')]);
    await refusedByRegistry(() => stack.push('acme/app', 'acme', token, 'forbidden'));
  });

  test('cannot pull another repository of the same organization', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-push')]);
    await refusedByRegistry(() => stack.pull('acme/web', 'acme', token));
  });

  test('cannot push a new repository into the organization', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-push')]);
    await refusedByRegistry(() => stack.push('acme/intruder', 'acme', token));
    assert.ok(!(await stack.repositories('acme')).includes('intruder'));
  });
});

describe('a token for org/*', () => {
  test('pulls every repository of the organization', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/*', 'scope-image-pull')]);
    ok(await stack.pull('acme/app', 'acme', token));
    ok(await stack.pull('acme/web', 'acme', token));
  });

  test('with push creates a new repository, which the registry notification registers', async () => {
    ok(await stack.push('acme/created', 'acme', acmeCi.token));
    const listed = await waitFor(async () => (await stack.repositories('acme')).includes('created'),
                                 'acme/created listed', { timeout: 10000, interval: 200 }).catch(() => false);
    assert.ok(listed, `acme/created not in GET /v2/namespaces/acme/repositories\n${stack.logs()}`);
  });

  test('pulls a repository created after the token was', async () => {
    const { token } = await stack.createToken('acme', [repo('acme/*', 'scope-image-pull')]);
    ok(await stack.push('acme/later', 'acme', acmeCi.token));
    await waitFor(async () => (await stack.repositories('acme')).includes('later'),
                  'acme/later listed', { timeout: 10000, interval: 200 });
    ok(await stack.pull('acme/later', 'acme', token));
  });

  test("cannot pull another organization's repository", async () => {
    const { token } = await stack.createToken('acme', [repo('acme/*', 'scope-image-push')]);
    await refusedByRegistry(() => stack.pull('other/secret', 'acme', token));
  });
});

describe('a token for */*/public', () => {
  test("pulls a public repository of another organization", async () => {
    const { token } = await stack.createToken('acme', [repo('*/*/public', 'scope-image-pull')]);
    ok(await stack.pull('other/pub', 'acme', token));
  });

  test("cannot pull a private repository of another organization", async () => {
    const { token } = await stack.createToken('acme', [repo('*/*/public', 'scope-image-pull')]);
    await refusedByRegistry(() => stack.pull('other/secret', 'acme', token));
  });

  test('cannot push to a public repository', async () => {
    const { token } = await stack.createToken('acme', [repo('*/*/public', 'scope-image-pull')]);
    await refusedByRegistry(() => stack.push('other/pub', 'acme', token, 'vandal'));
  });
});

describe('a repository name with a host-like first component', () => {
  // The registry takes "localhost/acme/app" literally, as repository "app" under namespace
  // "localhost/acme"; the token service must match the name just as literally.
  test('does not let a token for acme/app push into the namespace of organization "localhost"',
       async () => {
         await stack.admin('org', 'add', 'localhost', '--plan', 'team');
         const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-push')]);
         await refusedByRegistry(() => stack.push('localhost/acme/app', 'acme', token));
       });

  test('does not let a token for acme/app push outside every organization (evil.com/acme/app)',
       async () => {
         const { token } = await stack.createToken('acme', [repo('acme/app', 'scope-image-push')]);
         await refusedByRegistry(() => stack.push('evil.com/acme/app', 'acme', token));
       });
});
