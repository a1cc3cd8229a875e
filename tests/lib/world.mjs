// A test file's world: a fresh temporary data folder, a database seeded with the admin
// commands, and an oatd serving it for the length of the file. Which database a data folder has
// (a file in it, or a PostgreSQL database of its own) depends on the backend under test
// (tests/lib/database.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import { dropTestDatabase, testDatabase } from './database.mjs';
import { Oatd, admin, password } from './oatd.mjs';

/**
 * A fresh, empty temporary folder, named after the suite (KIND); its database is
 * testDatabase(dir). Remove both with removeDataDir.
 */
export function makeDataDir(kind) {
  return mkdtempSync(join(tmpdir(), `oat-${kind}-`));
}

/**
 * Removes a folder of makeDataDir and drops its PostgreSQL database (if it has one; stop its
 * servers first), unless OAT_KEEP_TEST_DIRS asks to keep both for a look.
 */
export async function removeDataDir(dir) {
  if (!dir || process.env.OAT_KEEP_TEST_DIRS) return;
  rmSync(dir, { recursive: true, force: true });
  await dropTestDatabase(dir);
}

/**
 * Seeds DB with WORLD through the admin commands:
 *   users      user names, each with password(user)
 *   companies  {company: [its owners]}
 *   orgs       {org: {plan, company, roles: {role: [permissions]}, members: {user: role},
 *              repos: [private repositories' names], publicRepos: [public ones]}}
 */
export async function seed(db, { users, companies = {}, orgs = {} }) {
  // The first command creates the database; the other users (each an scrypt hash) in parallel.
  const [first, ...rest] = users;
  await admin(db, ['user', 'add', first], { input: password(first) });
  await Promise.all(rest.map((u) => admin(db, ['user', 'add', u], { input: password(u) })));
  for (const [company, owners] of Object.entries(companies)) {
    await admin(db, ['company', 'add', company]);
    for (const user of owners) await admin(db, ['company', 'owner', 'add', company, user]);
  }
  for (const [org, { plan, company, roles = {}, members = {}, repos = [], publicRepos = [] }] of Object.entries(orgs)) {
    await admin(db, ['org', 'add', org, '--plan', plan, ...(company ? ['--company', company] : [])]);
    for (const [role, permissions] of Object.entries(roles)) {
      await admin(db, ['role', 'add', org, role, ...permissions.flatMap((p) => ['--permission', p])]);
    }
    for (const [user, role] of Object.entries(members)) await admin(db, ['member', 'add', org, user, '--role', role]);
    for (const name of repos) await admin(db, ['repo', 'add', `${org}/${name}`]);
    for (const name of publicRepos) await admin(db, ['repo', 'add', `${org}/${name}`, '--public']);
  }
}

/**
 * Registers before/after hooks (in the calling scope) that make a data folder (named after KIND),
 * SEED(db) it, run PREPARE(world) while no server runs yet, start oatd on it with SERVEARGS(world)
 * (more arguments of `oatd serve`), sign in the SIGNIN users and then run SETUP(world). Returns
 * the object they fill in: {dir, db, server, bearers: {user: bearer}}. The after hook runs
 * TEARDOWN(world), stops the server and removes the folder, also when tests failed.
 *
 * Node 20 runs several top-level before() hooks of a file concurrently, so a file's own setup
 * goes in SETUP (or in a describe's before), never in a second top-level before().
 */
export function useWorld({ kind, seed: seedDb, prepare, serveArgs, signIn = ['owner'], setup, teardown }) {
  const world = {};
  before(async () => {
    world.dir = makeDataDir(kind);
    world.db = await testDatabase(world.dir);
    await seedDb(world.db);
    if (prepare) await prepare(world);
    world.server = await Oatd.start(world.dir, { args: serveArgs ? await serveArgs(world) : [] });
    world.bearers = await world.server.signInAll(signIn);
    if (setup) await setup(world);
  });
  after(async () => {
    if (teardown) await teardown(world);
    await world.server?.stop();
    await removeDataDir(world.dir);
  });
  return world;
}
