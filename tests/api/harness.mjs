// Test harness for the oatd API tests: the API suite's world and Docker Hub's answer shapes, on
// top of tests/lib/ (oatd's processes, requests and replies, data folders, JWTs, waiting).
//
// Every wait is bounded (WAIT_MS, tests/lib/time.mjs). Every child process is tracked and killed
// when the test file ends (the after() hooks call stop(); tests/lib/processes.mjs has the last
// resort). Every answer a test receives is checked against docs/openapi.yaml
// (tests/lib/openapi.mjs), so the document cannot drift from the server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SECRET_RE, replyChecks, signingKeyFile } from '../lib/oatd.mjs';
import { checkAnswer } from '../lib/openapi.mjs';
import { seed, useWorld as useServer } from '../lib/world.mjs';

replyChecks.push(checkAnswer);

export {
  OATD, Oatd, admin, password, rawExchange, signingKeyFile, tokenRequest, tryAdmin,
} from '../lib/oatd.mjs';
export {
  BACKEND, SQLITE_ONLY, dropPostgresDatabase, newPostgresDatabase, testDatabase,
} from '../lib/database.mjs';
export { decodeJwt, signJwt, unsignedJwt } from '../lib/jwt.mjs';
export { run } from '../lib/processes.mjs';
export { rfc3339, sleep, waitFor } from '../lib/time.mjs';
export { makeDataDir, removeDataDir } from '../lib/world.mjs';

// ---------------------------------------------------------------------------------------------
// Data folders and the seeded world
// ---------------------------------------------------------------------------------------------

/** Every file of a folder: [{name, bytes}]. */
export function readAllFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: e.name, bytes: readFileSync(join(dir, e.name)) }));
}

/** The server's signing key (PEM), in its data folder. */
export function readSigningKey(dir) {
  return readFileSync(signingKeyFile(dir), 'utf8');
}

/**
 * The standard world, used by most test files:
 *   company acmecorp, owned by `companyowner` (who is not a member of acme);
 *   acme    (Team, in acmecorp): owner, editor, member, tokenmgr (custom role token-managers,
 *           which may manage access tokens), viewer (custom role viewers, which may not);
 *           repositories app, web (private) and docs (public), plus r0..r{extraRepos-1};
 *   globex  (Team): otherowner is its owner; repository globex/app;
 *   bizco   (Business) and freeco (Free): owner is their owner;
 *   outsider: a user with no organization.
 */
export const USERS = [
  'owner', 'editor', 'member', 'tokenmgr', 'viewer', 'companyowner', 'otherowner', 'outsider',
];

export function seedWorld(db, { extraRepos = 0 } = {}) {
  return seed(db, {
    users: USERS,
    companies: { acmecorp: ['companyowner'] },
    orgs: {
      acme: {
        plan: 'team',
        company: 'acmecorp',
        roles: { 'token-managers': ['manage-access-tokens'], viewers: [] },
        members: { owner: 'owner', editor: 'editor', member: 'member', tokenmgr: 'token-managers', viewer: 'viewers' },
        repos: ['app', 'web', ...Array.from({ length: extraRepos }, (_, i) => `r${i}`)],
        publicRepos: ['docs'],
      },
      globex: { plan: 'team', members: { otherowner: 'owner' }, repos: ['app'] },
      bizco: { plan: 'business', members: { owner: 'owner' }, repos: ['app'] },
      freeco: { plan: 'free', members: { owner: 'owner' } },
    },
  });
}

/**
 * The per-file fixture: the standard world (EXTRAREPOS more repositories in acme) served by one
 * oatd, the SIGNIN users signed in, then SETUP(world); TEARDOWN(world) when the file ends; see
 * useWorld in tests/lib/world.mjs. Returns {dir, db, server, bearers}.
 */
export function useWorld({ extraRepos = 0, signIn = ['owner'], setup, serveArgs, teardown } = {}) {
  return useServer({ kind: 'api', seed: (db) => seedWorld(db, { extraRepos }), signIn, setup, serveArgs, teardown });
}

let nextAddress = 0;
/**
 * A loopback address no other request has used (127.0.0.2, 127.0.0.3, ...). The sign-in rate
 * limit counts failures per client address, so each test that expects failed sign-ins sends
 * them from its own address (the request option `from`) and never locks out the rest of the file.
 */
export function freshClientAddress() {
  const n = nextAddress++;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

// ---------------------------------------------------------------------------------------------
// Requests and answers in Docker Hub's shapes
// ---------------------------------------------------------------------------------------------

export const TOKEN_KEYS = [
  'id', 'label', 'description', 'created_by', 'is_active', 'created_at', 'expires_at', 'last_used_at',
  'rotated_at', 'previous_token_expires_at',
];
export const PAGE_KEYS = ['total', 'next', 'previous', 'results'];
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The object's keys are exactly KEYS (any order). */
export function assertKeys(object, keys, what = 'object') {
  assert.ok(object !== null && typeof object === 'object' && !Array.isArray(object),
    `${what} is an object: ${JSON.stringify(object)}`);
  assert.deepEqual(Object.keys(object).sort(), [...keys].sort(), `keys of ${what}`);
}

/**
 * Single-token answers (create, GET one, PATCH) carry, beyond Docker's token object and
 * `resources`, oatd's usage fields (core/include/oat/api.h): the last distinct client addresses
 * the token signed in from, and registry pull/push counts. List items carry none of them.
 */
export const SINGLE_TOKEN_EXTRA_KEYS = [
  'resources', 'last_used_addresses', 'pull_count', 'push_count', 'previous_token_last_used_at',
  'allow_self_rotation', 'allowed_cidrs',
];

/**
 * A token object checked field by field: a list item by default; SINGLE for a single-token
 * answer (+ resources and the usage fields); SECRET for the answer to a create (+ token).
 */
export function assertTokenShape(t, { single = false, secret = false } = {}) {
  const keys = [...TOKEN_KEYS];
  if (single) keys.push(...SINGLE_TOKEN_EXTRA_KEYS);
  if (secret) keys.push('token');
  assertKeys(t, keys, 'token object');
  assert.match(t.id, UUID_RE);
  assert.equal(typeof t.label, 'string');
  assert.equal(typeof t.description, 'string');
  assert.equal(typeof t.created_by, 'string');
  assert.equal(typeof t.is_active, 'boolean');
  assert.match(t.created_at, TIME_RE);
  if (t.expires_at !== null) assert.match(t.expires_at, TIME_RE);
  if (t.last_used_at !== null) assert.match(t.last_used_at, TIME_RE);
  if (single) {
    assert.ok(Array.isArray(t.resources) && t.resources.length > 0, 'resources is a non-empty list');
    for (const r of t.resources) {
      assertKeys(r, ['type', 'path', 'scopes'], 'resource');
      assert.ok(['TYPE_REPO', 'TYPE_ORG'].includes(r.type), r.type);
      assert.equal(typeof r.path, 'string');
      assert.ok(Array.isArray(r.scopes) && r.scopes.every((s) => typeof s === 'string'));
    }
    assert.ok(Array.isArray(t.last_used_addresses) && t.last_used_addresses.every((a) => typeof a === 'string'),
      'last_used_addresses is a list of strings');
    assert.ok(Number.isInteger(t.pull_count) && t.pull_count >= 0, 'pull_count');
    assert.ok(Number.isInteger(t.push_count) && t.push_count >= 0, 'push_count');
  }
  if (secret) assert.match(t.token, SECRET_RE);
}

/** A {"detail","message"} error with STATUS; returns the detail. */
export function assertDetailError(reply, status) {
  assert.equal(reply.status, status, String(reply));
  assertKeys(reply.body, ['detail', 'message'], `error body of ${reply.method} ${reply.path}`);
  assert.equal(typeof reply.body.detail, 'string');
  assert.ok(reply.body.detail.length > 0, 'detail is not empty');
  assert.equal(typeof reply.body.message, 'string');
  assert.ok(reply.body.message.length > 0, 'message is not empty');
  return reply.body.detail;
}

/** A 400 {"fields":{FIELD:[messages]},"text"} naming FIELD; returns FIELD's messages. */
export function assertFieldError(reply, field) {
  assert.equal(reply.status, 400, String(reply));
  assertKeys(reply.body, ['fields', 'text'], `error body of ${reply.method} ${reply.path}`);
  assert.equal(typeof reply.body.text, 'string');
  assert.ok(reply.body.text.length > 0, 'text is not empty');
  const { fields } = reply.body;
  assert.ok(fields && typeof fields === 'object' && !Array.isArray(fields), 'fields is an object');
  for (const [name, messages] of Object.entries(fields)) {
    assert.ok(Array.isArray(messages) && messages.length > 0, `fields.${name} is a non-empty list`);
    for (const m of messages) assert.ok(typeof m === 'string' && m.length > 0, `fields.${name}: ${m}`);
  }
  assert.ok(field in fields, `fields names "${field}": ${reply.text}`);
  return fields[field];
}

/**
 * A disk of SIZE (a tmpfs size, e.g. '2m') of its own, holding the standard world's database
 * (oat.db): {mounted, dir, db, fill(leaveFree), grow(size), remove()}. Needs mount(2), which root
 * has on this project's machines; elsewhere `mounted` is false and the caller skips, saying so.
 * fill(LEAVEFREE) writes a filler file until the disk is full to the last block, then gives
 * back LEAVEFREE bytes; grow(SIZE) remounts it bigger (space returns).
 */
export async function smallDisk(size) {
  const dir = mkdtempSync(join(tmpdir(), 'oatd-disk-'));
  const disk = {
    mounted: false,
    dir,
    db: join(dir, 'oat.db'),
    fill(leaveFree = 0) {
      const fd = openSync(join(dir, 'filler'), 'w');
      let written = 0;
      try {
        for (const chunk of [Buffer.alloc(64 * 1024, 1), Buffer.alloc(512, 1)]) {
          try {
            for (;;) written += writeSync(fd, chunk);
          } catch (e) {
            if (e.code !== 'ENOSPC') throw e;
          }
        }
        if (leaveFree > 0) ftruncateSync(fd, Math.max(0, written - leaveFree));
      } finally {
        closeSync(fd);
      }
    },
    grow(newSize) {
      execFileSync('mount', ['-o', `remount,size=${newSize}`, dir], { stdio: 'pipe' });
    },
    remove() {
      if (disk.mounted) execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    disk.mounted = true;
  } catch {
    return disk;
  }
  const seeded = mkdtempSync(join(tmpdir(), 'oatd-seed-'));
  try {
    await seedWorld(join(seeded, 'oat.db'));
    copyFileSync(join(seeded, 'oat.db'), disk.db);
  } finally {
    rmSync(seeded, { recursive: true, force: true });
  }
  return disk;
}
