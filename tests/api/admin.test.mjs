// The admin commands (`oatd admin --db DB ...`): they set up what the API serves, and refuse
// bad arguments with a message on stderr, a non-zero exit status and no change at all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Oatd, admin, makeDataDir, password, readAllFiles, removeDataDir, testDatabase, tryAdmin,
} from './harness.mjs';

let dir;
let db;

before(async () => {
  dir = makeDataDir('api');
  db = await testDatabase(dir);
  await admin(db, ['user', 'add', 'owner'], { input: password('owner') });
  await admin(db, ['org', 'add', 'acme', '--plan', 'team']);
  await admin(db, ['member', 'add', 'acme', 'owner', '--role', 'owner']);
  await admin(db, ['repo', 'add', 'acme/app']);
});

after(() => removeDataDir(dir));

describe('admin commands that succeed', () => {
  test('user add reads the password from stdin, says what it did and exits 0', async () => {
    const r = await tryAdmin(db, ['user', 'add', 'alice'], { input: 'alice-password\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /alice/);
  });

  test('org add, role add, member add and repo add each exit 0', async () => {
    for (const args of [
      ['company', 'add', 'initech'],
      ['company', 'owner', 'add', 'initech', 'alice'],
      ['org', 'add', 'umbrella', '--plan', 'business', '--company', 'initech'],
      ['role', 'add', 'umbrella', 'robots', '--permission', 'manage-access-tokens'],
      ['member', 'add', 'umbrella', 'owner', '--role', 'robots'],
      ['repo', 'add', 'umbrella/site', '--public'],
    ]) {
      const r = await tryAdmin(db, args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, `${args.join(' ')} says what it did`);
    }
  });
});

describe('admin commands refuse bad arguments and change nothing', () => {
  const refused = [
    { name: 'org add with an unknown plan', args: ['org', 'add', 'newco', '--plan', 'gold'], input: '' },
    { name: 'member add with an unknown role', args: ['member', 'add', 'acme', 'owner', '--role', 'boss'] },
    { name: 'member add to an unknown organization', args: ['member', 'add', 'nosuchorg', 'owner', '--role', 'owner'] },
    { name: 'member add of an unknown user', args: ['member', 'add', 'acme', 'nobody', '--role', 'member'] },
    { name: 'repo add to an unknown organization', args: ['repo', 'add', 'nosuchorg/app'] },
    { name: 'repo add of a repository that exists', args: ['repo', 'add', 'acme/app'] },
    { name: 'repo add without ORG/', args: ['repo', 'add', 'app'] },
    { name: 'user add of a duplicate user', args: ['user', 'add', 'owner'], input: 'another-password' },
    { name: 'user add with a name that has a space and capitals', args: ['user', 'add', 'Bad Name'], input: 'long-enough-password' },
    { name: 'user add with a password under 8 characters', args: ['user', 'add', 'shorty'], input: 'short' },
    { name: 'org add with a bad name', args: ['org', 'add', 'Bad Name', '--plan', 'team'] },
    { name: 'org add with a name a user has', args: ['org', 'add', 'owner', '--plan', 'team'] },
    { name: 'org add in an unknown company', args: ['org', 'add', 'newco', '--plan', 'team', '--company', 'nocorp'] },
    { name: 'company owner add to an unknown company', args: ['company', 'owner', 'add', 'nocorp', 'owner'] },
    { name: 'role add named like a built-in role', args: ['role', 'add', 'acme', 'owner'] },
    { name: 'role add with an unknown permission', args: ['role', 'add', 'acme', 'robots', '--permission', 'fly'] },
    { name: 'role add to an unknown organization', args: ['role', 'add', 'nosuchorg', 'robots'] },
  ];

  for (const { name, args, input = '' } of refused) {
    test(`${name}: non-zero exit, a message on stderr, database files unchanged`, async () => {
      const before = readAllFiles(dir);
      const r = await tryAdmin(db, args, { input });
      assert.notEqual(r.code, 0, `exit status of ${args.join(' ')}`);
      assert.equal(r.signal, null, 'exited, not killed by a signal');
      assert.match(r.stderr, /\S/, 'a message on stderr');
      // SQLite's files only: under postgres the folder holds no database, and the server's
      // view below is what shows that nothing changed.
      assert.deepEqual(readAllFiles(dir), before, 'the data folder is byte for byte the same');
    });
  }

  test('after the refusals the server still sees exactly the seeded data', async (t) => {
    const server = await Oatd.start(dir);
    t.after(() => server.stop());
    // The duplicate `user add owner` did not replace the password.
    const bearer = await server.signIn('owner', password('owner'));
    const orgs = await server.get('/v2/user/orgs', { bearer });
    assert.equal(orgs.status, 200, String(orgs));
    assert.deepEqual(orgs.body.results.map((o) => o.orgname).sort(), ['acme', 'umbrella']);
    const acme = orgs.body.results.find((o) => o.orgname === 'acme');
    assert.equal(acme.role, 'owner', 'member add --role boss did not change the role');
    const repos = await server.get('/v2/namespaces/acme/repositories', { bearer });
    assert.equal(repos.status, 200, String(repos));
    assert.deepEqual(repos.body.results.map((r) => r.name), ['app']);
    for (const name of ['newco', 'nosuchorg']) {
      const r = await server.get(`/v2/orgs/${name}`, { bearer });
      assert.equal(r.status, 404, `${name} was not created: ${r}`);
    }
  });
});
