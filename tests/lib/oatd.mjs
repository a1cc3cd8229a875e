// oatd as the test suites see it: its admin commands, `oatd serve` on a free loopback port, and
// HTTP requests to it answered as Reply objects.
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { testDatabase } from './database.mjs';
import { assertNoSanitizerReport, run, runOk, running, start, stop } from './processes.mjs';
import { WAIT_MS, idle } from './time.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The oatd binary: $OATD, or the native build tree's. */
export const OATD = resolve(process.env.OATD || join(here, '../../build/native/native/oatd'));

/** What an organization access token looks like (core/include/oat/token_format.h). */
export const SECRET_RE = /^dckr_oat_[A-Za-z0-9]{32}$/;

/** The registry service name oatd grants for unless told otherwise (`--registry-service`). */
export const REGISTRY_SERVICE = 'oat-registry';

/**
 * Where the signing key of the data folder DIR lives: oatd's default beside an SQLite database,
 * given as --key to `oatd serve` and `oatd cert` whatever the backend (a PostgreSQL URI has no
 * folder to put it beside).
 */
export const signingKeyFile = (dir) => join(dir, 'oatd-signing-key.pem');

/** The password the suites give each user they add (at least 8 characters, as oatd asks). */
export const password = (user) => `${user}-pass-phrase`;

/** `oatd admin --db DB ARGS...` (options of run(): input); the result, success or not. */
export function tryAdmin(db, args, options) {
  return run(OATD, ['admin', '--db', db, ...args], options);
}

/** `oatd admin --db DB ARGS...`, which must succeed. */
export function admin(db, args, options) {
  return runOk(OATD, ['admin', '--db', db, ...args], options);
}

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

/**
 * What every answer must pass: each CHECK(reply) here runs on every Reply a request of any suite
 * gets (method, path, status, headers, text, body), and throws to fail the test. Empty here; a
 * module that knows what every answer must look like (a description of the API, say) pushes its
 * check.
 */
export const replyChecks = [];

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

function checked(reply) {
  for (const check of replyChecks) check(reply);
  return reply;
}

/**
 * The port `oatd serve` (CHILD, started with stderr piped) listens on, once its "listening" line
 * is in LOG() (its stderr so far); rejects, saying why with the log, when it exits first, cannot
 * run, or takes longer than WAIT_MS (then it is killed). WHAT names it in messages.
 */
export function listeningPort(child, log, what = 'oatd serve') {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start within ${WAIT_MS} ms: ${log()}`));
    }, WAIT_MS);
    const onData = () => {
      // The server log is JSON lines: {"address":"127.0.0.1:PORT",...,"msg":"listening",...};
      // the closing quote after the port means the line did not arrive cut short.
      const m = /"address":"127\.0\.0\.1:(\d+)"[^\n]*"msg":"listening"/.exec(log());
      if (!m) return;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      resolvePromise(Number(m[1]));
    };
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${OATD}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before listening: ${log()}`));
    });
  });
}

export class Oatd {
  /**
   * Starts `oatd serve` on 127.0.0.1, any free port, over the database of the data folder DIR
   * (testDatabase: DIR/oat.db, or DIR's own PostgreSQL database) with DIR's signing key, and
   * waits for its "listening" line. ARGS: more arguments of `oatd serve` (`--console DIR`,
   * `--cors-origin`, ...); DB: another database than the folder's (a file path or a URI).
   */
  static async start(dir, { args = [], db, tls } = {}) {
    const server = new Oatd(dir);
    server.db = db ?? await testDatabase(dir);
    // HTTPS: TLS = {certFile, keyFile, ca} (tests/lib/tls.mjs), and requests trust CA (a PEM).
    if (tls) {
      args = ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile, ...args];
      server.ca = tls.ca;
    }
    await server.#launch(args);
    return server;
  }

  constructor(dir) {
    this.dir = dir;
    this.db = undefined;  // the --db value, once start() knows it
    this.ca = undefined;  // over HTTPS: the PEM its certificate is trusted by
    this.stdout = '';
    this.stderr = '';
    this.requestsSent = 0;
  }

  #launch(args) {
    const child = start(OATD, [
      'serve', '--db', this.db, '--key', signingKeyFile(this.dir), '--listen', '127.0.0.1:0', ...args,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = child.exited;
    child.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    return listeningPort(child, () => this.stderr).then((port) => {
      this.port = port;
      this.url = `${this.ca ? 'https' : 'http'}://127.0.0.1:${port}`;
    });
  }

  get running() {
    return running(this.child);
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL if it lingers). Safe to call twice. Throws when a
   * sanitizer reported a bug on its stderr (the sanitizer builds; leaks are reported at exit).
   */
  async stop() {
    await stop(this.child);
    assertNoSanitizerReport(this.stderr, 'oatd serve');
  }

  /** kill -9, and wait until it is gone. */
  async kill9() {
    this.child.kill('SIGKILL');
    await Promise.race([this.exited, idle(WAIT_MS)]);
  }

  /** The access-log lines written so far (stdout), whole lines only. */
  logLines() {
    return this.stdout.split('\n').slice(0, -1).filter((l) => l !== '');
  }

  /**
   * One request. Options: bearer (Authorization: Bearer ...), basic ([user, secret]:
   * Authorization: Basic ...), json (a value sent as the JSON body), body (a raw string or Buffer
   * body), headers, from (the client address to connect from; otherwise fetch from 127.0.0.1).
   */
  async request(method, path, { bearer, basic, json, body, headers = {}, from } = {}) {
    const h = { ...headers };
    if (bearer !== undefined) h.authorization = `Bearer ${bearer}`;
    if (basic !== undefined) h.authorization = `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}`;
    if (json !== undefined) {
      body = JSON.stringify(json);
      h['content-type'] = 'application/json';
    }
    this.requestsSent += 1;
    if (from || this.ca) {
      return checked(await rawHttp(this.port, from, method, path, h, body, { ca: this.ca }));
    }
    const res = await fetch(this.url + path, {
      method,
      headers: h,
      body,
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const text = await res.text();
    return checked(new Reply(method, path, res.status, Object.fromEntries(res.headers), text));
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

  /** Bearers for several users, signed in in parallel: {user: bearer}. */
  async signInAll(users) {
    const bearers = await Promise.all(users.map((u) => this.signIn(u)));
    return Object.fromEntries(users.map((u, i) => [u, bearers[i]]));
  }

  /** Creates a token in ORG as BEARER (tokenRequest with FIELDS); the 201 body (with the secret). */
  async createToken(org, bearer, fields = {}) {
    const r = await this.post(`/v2/orgs/${org}/access-tokens`, tokenRequest(org, fields), { bearer });
    assert.equal(r.status, 201, `create a token in ${org}: ${r}`);
    return r.body;
  }

  /** GET one token of ORG; the Reply, whatever its status. */
  token(org, id, bearer) {
    return this.get(`/v2/orgs/${org}/access-tokens/${id}`, { bearer });
  }

  /** Every token of ORG (list items, newest first). */
  async tokens(org, bearer) {
    const all = [];
    for (let page = 1; ; ++page) {
      const r = await this.get(`/v2/orgs/${org}/access-tokens?page=${page}&page_size=100`, { bearer });
      assert.equal(r.status, 200, String(r));
      all.push(...r.body.results);
      if (!r.body.next) return all;
    }
  }

  /** How many events ORG's audit log holds. */
  async auditTotal(org, bearer) {
    const r = await this.get(`/v2/auditlogs/${org}?page=1&page_size=1`, { bearer });
    assert.equal(r.status, 200, String(r));
    return r.body.total;
  }

  /** The organization's tokens and audit-log total, as one value: equal ones mean nothing changed. */
  async snapshot(org, bearer) {
    return { tokens: await this.tokens(org, bearer), auditTotal: await this.auditTotal(org, bearer) };
  }

  /**
   * GET /token, the registry's token service: SCOPES (e.g. repository:acme/app:pull) for SERVICE,
   * as USER with SECRET (Basic; no user: anonymous), QUERY: more parameters. The Reply.
   */
  tokenService({ user, secret, scopes = [], service = REGISTRY_SERVICE, query = {} } = {}) {
    const q = new URLSearchParams({ service, ...query });
    for (const scope of scopes) q.append('scope', scope);
    return this.get(`/token?${q}`, user === undefined ? {} : { basic: [user, secret] });
  }
}

// One request on a connection of its own, from LOCALADDRESS (or any); over HTTPS trusting CA
// when CA (a PEM) is given.
function rawHttp(port, localAddress, method, path, headers, body, { ca } = {}) {
  return new Promise((resolvePromise, reject) => {
    const req = (ca ? https : http).request(
      { host: '127.0.0.1', port, localAddress, method, path, headers, agent: false, timeout: WAIT_MS, ca },
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
 * came back before the server closed it (or the wait ran out), as a latin1 string: for answers
 * that are not HTTP as fetch would take it, so no Reply and no replyChecks.
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
