// Test harness for the oatd API tests: runs real oatd processes (admin commands and servers)
// on fresh temporary data folders, talks HTTP to them, and checks Docker Hub's answer shapes.
//
// Every wait is bounded (WAIT_MS). Every child process is tracked and killed when the test
// file ends (the after() hooks call stop(); the exit handler below is the last resort).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The oatd binary: $OATD, or the native build tree's. */
export const OATD = process.env.OATD
  ? resolve(process.env.OATD)
  : resolve(here, '../../build/native/native/oatd');

/** Upper bound on any single wait (process start/exit, HTTP answer, polling). */
export const WAIT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

const children = new Set();

function killChildren() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
// Last resort when a file ends without its after() hooks (a crash, or the runner's SIGTERM).
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killChildren();
    process.exit(1);
  });
}

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Runs `oatd ARGS...` to completion: {code, signal, stdout, stderr}. */
export function runOatd(args, { input = '', timeoutMs = WAIT_MS } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = track(spawn(OATD, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oatd ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // EPIPE when oatd exits without reading stdin
    child.stdin.end(input);
  });
}

/** `oatd admin --db DB ARGS...`; the raw result, success or not. */
export function tryAdmin(db, args, options) {
  return runOatd(['admin', '--db', db, ...args], options);
}

/** `oatd admin --db DB ARGS...`, which must succeed. */
export async function admin(db, args, options) {
  const r = await tryAdmin(db, args, options);
  if (r.code !== 0) {
    throw new Error(`oatd admin ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr}`);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Data folders and the seeded world
// ---------------------------------------------------------------------------------------------

/** A fresh, empty temporary folder; remove it with removeDataDir. */
export function makeDataDir() {
  return mkdtempSync(join(tmpdir(), 'oatd-api-'));
}

export function removeDataDir(dir) {
  if (dir && !process.env.OAT_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
}

/** Every file of a folder: [{name, bytes}]. */
export function readAllFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: e.name, bytes: readFileSync(join(dir, e.name)) }));
}

/** Each seeded user's password (at least 8 characters). */
export const password = (user) => `${user}-pass-phrase`;

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

export async function seedWorld(db, { extraRepos = 0 } = {}) {
  // The first command creates the database; the other users (each an scrypt hash) in parallel.
  await admin(db, ['user', 'add', USERS[0]], { input: password(USERS[0]) });
  await Promise.all(USERS.slice(1).map((u) => admin(db, ['user', 'add', u], { input: password(u) })));
  const steps = [
    ['company', 'add', 'acmecorp'],
    ['company', 'owner', 'add', 'acmecorp', 'companyowner'],
    ['org', 'add', 'acme', '--plan', 'team', '--company', 'acmecorp'],
    ['org', 'add', 'globex', '--plan', 'team'],
    ['org', 'add', 'bizco', '--plan', 'business'],
    ['org', 'add', 'freeco', '--plan', 'free'],
    ['role', 'add', 'acme', 'token-managers', '--permission', 'manage-access-tokens'],
    ['role', 'add', 'acme', 'viewers'],
    ['member', 'add', 'acme', 'owner', '--role', 'owner'],
    ['member', 'add', 'acme', 'editor', '--role', 'editor'],
    ['member', 'add', 'acme', 'member', '--role', 'member'],
    ['member', 'add', 'acme', 'tokenmgr', '--role', 'token-managers'],
    ['member', 'add', 'acme', 'viewer', '--role', 'viewers'],
    ['member', 'add', 'globex', 'otherowner', '--role', 'owner'],
    ['member', 'add', 'bizco', 'owner', '--role', 'owner'],
    ['member', 'add', 'freeco', 'owner', '--role', 'owner'],
    ['repo', 'add', 'acme/app'],
    ['repo', 'add', 'acme/web'],
    ['repo', 'add', 'acme/docs', '--public'],
    ['repo', 'add', 'globex/app'],
    ['repo', 'add', 'bizco/app'],
  ];
  for (let i = 0; i < extraRepos; ++i) steps.push(['repo', 'add', `acme/r${i}`]);
  for (const step of steps) await admin(db, step);
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/** An HTTP answer: status, lower-case headers, raw text and the parsed JSON body (if any). */
export class Reply {
  constructor(method, path, status, headers, text) {
    this.method = method;
    this.path = path;
    this.status = status;
    this.headers = headers;
    this.text = text;
    try {
      this.body = text === '' ? undefined : JSON.parse(text);
    } catch {
      this.body = undefined;
    }
  }

  toString() {
    return `${this.method} ${this.path} -> ${this.status} ${this.text}`;
  }
}

let nextAddress = 0;
/**
 * A loopback address no other request has used (127.0.0.2, 127.0.0.3, ...). The sign-in rate
 * limit counts failures per client address, so each test that expects failed sign-ins sends
 * them from its own address and never locks out the rest of the file.
 */
export function freshClientAddress() {
  const n = nextAddress++;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

export class Oatd {
  /** Starts `oatd serve` on a free port over DIR/oat.db and waits for its "listening" line. */
  static async start(dir) {
    const server = new Oatd(dir);
    await server.#launch();
    return server;
  }

  constructor(dir) {
    this.dir = dir;
    this.db = join(dir, 'oat.db');
    this.stdout = '';
    this.stderr = '';
    this.requestsSent = 0;
  }

  #launch() {
    const child = track(
      spawn(OATD, ['serve', '--db', this.db, '--listen', '127.0.0.1:0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child = child;
    this.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    child.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`oatd serve did not start within ${WAIT_MS} ms: ${this.stderr}`));
      }, WAIT_MS);
      const onData = () => {
        const m = /oatd: listening on 127\.0\.0\.1:(\d+) /.exec(this.stderr);
        if (!m) return;
        clearTimeout(timer);
        child.stderr.off('data', onData);
        this.port = Number(m[1]);
        this.url = `http://127.0.0.1:${this.port}`;
        resolvePromise();
      };
      child.stderr.on('data', onData);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${OATD}: ${e.message}`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`oatd serve exited (${code ?? signal}) before listening: ${this.stderr}`));
      });
    });
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stops the server (SIGTERM, then SIGKILL if it lingers). Safe to call twice. */
  async stop() {
    if (!this.child || !this.running) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited, idle(5000).then(() => null)]);
    if (done === null) {
      this.child.kill('SIGKILL');
      await Promise.race([this.exited, idle(WAIT_MS)]);
    }
  }

  /** kill -9, and wait until it is gone. */
  async kill9() {
    this.child.kill('SIGKILL');
    await Promise.race([this.exited, idle(WAIT_MS)]);
  }

  /** The access-log lines written so far (stdout). */
  logLines() {
    return this.stdout.split('\n').filter((l) => l !== '');
  }

  /**
   * One request. Options: bearer (sets Authorization: Bearer ...), json (a value sent as the
   * JSON body), body (a raw string/Buffer body), headers, from (the client address to connect
   * from; otherwise fetch from 127.0.0.1).
   */
  async request(method, path, { bearer, json, body, headers = {}, from } = {}) {
    const h = { ...headers };
    if (bearer !== undefined) h.authorization = `Bearer ${bearer}`;
    if (json !== undefined) {
      body = JSON.stringify(json);
      h['content-type'] = 'application/json';
    }
    this.requestsSent += 1;
    if (from) return rawHttp(this.port, from, method, path, h, body);
    const res = await fetch(this.url + path, {
      method,
      headers: h,
      body,
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const text = await res.text();
    const lower = {};
    for (const [k, v] of res.headers) lower[k.toLowerCase()] = v;
    return new Reply(method, path, res.status, lower, text);
  }

  get(path, options) {
    return this.request('GET', path, options);
  }
  post(path, json, options = {}) {
    return this.request('POST', path, { json, ...options });
  }
  patch(path, json, options = {}) {
    return this.request('PATCH', path, { json, ...options });
  }
  delete(path, options) {
    return this.request('DELETE', path, options);
  }

  /** POST /v2/auth/token; the bearer, or an assertion failure. */
  async signIn(identifier, secret = password(identifier)) {
    const r = await this.post('/v2/auth/token', { identifier, secret });
    assert.equal(r.status, 200, `sign-in as ${identifier}: ${r}`);
    return r.body.access_token;
  }

  /** Bearers for several users, signed in in parallel. */
  async signInAll(users) {
    const bearers = await Promise.all(users.map((u) => this.signIn(u)));
    return Object.fromEntries(users.map((u, i) => [u, bearers[i]]));
  }

  /** Creates a token in ORG as BEARER; the 201 body (token object + resources + token). */
  async createToken(org, bearer, fields = {}) {
    const r = await this.post(`/v2/orgs/${org}/access-tokens`, tokenRequest(org, fields), { bearer });
    assert.equal(r.status, 201, `create a token in ${org}: ${r}`);
    return r.body;
  }

  /** The organization's token list (page 1, 100 per page) and audit-log total, as one value. */
  async snapshot(org, bearer) {
    const list = await this.get(`/v2/orgs/${org}/access-tokens?page=1&page_size=100`, { bearer });
    assert.equal(list.status, 200, String(list));
    const audit = await this.get(`/v2/auditlogs/${org}?page=1&page_size=1`, { bearer });
    assert.equal(audit.status, 200, String(audit));
    return { tokens: list.body, auditTotal: audit.body.total };
  }
}

function rawHttp(port, localAddress, method, path, headers, body) {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, localAddress, method, path, headers, agent: false, timeout: WAIT_MS },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolvePromise(new Reply(method, path, res.statusCode, res.headers, text)));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${WAIT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends raw bytes on one connection ("Connection: close" expected in them) and returns what
 * came back before the server closed it (or the wait ran out), as a latin1 string.
 */
export function rawExchange(port, bytes) {
  return new Promise((resolvePromise) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => socket.destroy(), WAIT_MS);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolvePromise(out);
    });
    socket.write(bytes);
  });
}

// ---------------------------------------------------------------------------------------------
// Requests and answers in Docker Hub's shapes
// ---------------------------------------------------------------------------------------------

/** A valid create body for ORG; FIELDS override (e.g. label, resources, expires_at). */
export function tokenRequest(org, fields = {}) {
  return {
    label: 'ci',
    description: 'used by CI',
    resources: [{ type: 'TYPE_REPO', path: `${org}/app`, scopes: ['scope-image-pull'] }],
    expires_at: null,
    ...fields,
  };
}

export const TOKEN_KEYS = [
  'id', 'label', 'description', 'created_by', 'is_active', 'created_at', 'expires_at', 'last_used_at',
];
export const PAGE_KEYS = ['total', 'next', 'previous', 'results'];
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const SECRET_RE = /^dckr_oat_[A-Za-z0-9]{32}$/;

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
export const SINGLE_TOKEN_EXTRA_KEYS = ['resources', 'last_used_addresses', 'pull_count', 'push_count'];

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

// ---------------------------------------------------------------------------------------------
// JWTs
// ---------------------------------------------------------------------------------------------

export function decodeJwt(jwt) {
  const [h, p, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signature: s,
  };
}

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An ES256 JWT over HEADER and PAYLOAD signed with the PEM private key KEY. */
export function signJwt(key, header, payload) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** A JWT with the given header and payload and no signature (the "alg":"none" form). */
export function unsignedJwt(header, payload) {
  return `${b64url(header)}.${b64url(payload)}.`;
}

/** The server's signing key (PEM), beside its database. */
export function readSigningKey(dir) {
  return readFileSync(join(dir, 'oatd-signing-key.pem'), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A bound on a wait that must not keep the test process alive once the wait is over.
const idle = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/** RFC 3339 at whole seconds, e.g. 2027-01-31T12:00:00Z. */
export function rfc3339(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Polls PREDICATE (sync or async) until it returns a truthy value, at most WAIT_MS. */
export async function waitFor(predicate, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// Per-file fixture
// ---------------------------------------------------------------------------------------------

/**
 * Registers before/after hooks (in the calling scope) that seed the standard world in a fresh
 * folder, start a server on it, sign in the SIGNIN users and then run SETUP(world); returns the
 * object they fill in: {dir, db, server, bearers}. The after hook stops the server, also when
 * tests failed.
 *
 * Node 20 runs several top-level before() hooks of a file concurrently, so a file's own setup
 * goes in SETUP (or in a describe's before), never in a second top-level before().
 */
export function useWorld({ extraRepos = 0, signIn = ['owner'], setup } = {}) {
  const world = {};
  before(async () => {
    world.dir = makeDataDir();
    world.db = join(world.dir, 'oat.db');
    await seedWorld(world.db, { extraRepos });
    world.server = await Oatd.start(world.dir);
    world.bearers = await world.server.signInAll(signIn);
    if (setup) await setup(world);
  });
  after(async () => {
    await world.server?.stop();
    removeDataDir(world.dir);
  });
  return world;
}
