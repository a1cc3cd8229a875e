// Test harness for the cluster suite: several `oatd serve` nodes on one PostgreSQL database,
// sharing one signing key file, behind Debian's nginx (round-robin), as one service.
//
// Each test file gets a cluster of its own (useCluster): its own PostgreSQL 15 server
// (scripts/postgres start in a fresh folder: these tests stop and start PostgreSQL, so never the
// shared $OAT_TEST_POSTGRES one), one database seeded through `oatd admin`, N nodes started with
// the same --key file, and nginx in front of them. The after hook stops nginx, the nodes and
// PostgreSQL and removes both folders, also when tests failed; should the test process end
// without it (a crash, the runner's SIGTERM, ctest's kill at its TIMEOUT), a reaper process does.
//
// oatd sees the TCP peer as the client address (no X-Forwarded-For), so every request through
// nginx comes from 127.0.0.1; requests sent directly to a node may pick their loopback address
// (the request option `from`, e.g. freshClientAddress()).
//
// Every answer oatd gives is checked against docs/openapi.yaml (tests/lib/openapi.mjs), as in the
// API suite; nginx's own error pages (502, 504: HTML) are nginx's, not oatd's, and are not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate, randomBytes, verify } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

import { decodeJwt } from '../lib/jwt.mjs';
import { OATD, Oatd, listeningPort, replyChecks, tokenRequest } from '../lib/oatd.mjs';
import { checkAnswer } from '../lib/openapi.mjs';
import { run, runOk, running, start, stop } from '../lib/processes.mjs';
import { WAIT_MS, waitFor } from '../lib/time.mjs';
import { seed } from '../lib/world.mjs';

export { password, tokenRequest } from '../lib/oatd.mjs';
export { decodeJwt } from '../lib/jwt.mjs';
export { sleep, waitFor } from '../lib/time.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const POSTGRES_SCRIPT = resolve(here, '../../scripts/postgres');
const PG_BIN = '/usr/lib/postgresql/15/bin';  // Debian's postgresql-15 (as scripts/postgres)
const PSQL = process.env.PSQL ?? 'psql';

/** nginx: $NGINX (CMake passes the one it found), or Debian's. */
export const NGINX = process.env.NGINX || (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');

/** nginx's own error pages (it could not reach, or lost, the node): not oatd's answers. */
export const isNginxError = (reply) =>
  [502, 504].includes(reply.status) && /^text\/html/.test(reply.headers['content-type'] ?? '');

replyChecks.push((reply) => {
  if (!isNginxError(reply)) checkAnswer(reply);
});

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a server of the file's own
// ---------------------------------------------------------------------------------------------

// postgres[ql]://AUTHORITY[/DATABASE][?PARAMETERS] (as tests/lib/database.mjs reads it).
const URI_RE = /^(postgres(?:ql)?:\/\/[^/?#]*)(?:\/([^?#]*))?(\?[^#]*)?$/;

// The last resort of a cluster, should its test process end without the after hook (a crash,
// the runner's SIGTERM, ctest's kill at its TIMEOUT): a shell of its own (its own process group,
// so no signal to the test's reaches it) waits for the test process to be gone, then kills the
// nodes and nginx it left running (their pids in DIR/pids, each only if its command line still
// names DIR), lets a PostgreSQL start under way finish, stops that server and removes both
// folders. After a normal end it finds nothing left to do.
const REAPER = `
set -u
test_pid=$1 pg=$2 dir=$3 script=$4 keep=$5
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]; }
while alive "$test_pid"; do sleep 0.5; done
for pid in $(cat "$dir/pids" 2>/dev/null); do
  if alive "$pid" && tr '\\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir"; then
    kill -9 "$pid" 2>/dev/null
  fi
done
for _ in $(seq 600); do
  pgrep -f -- "(postgres start $pg|initdb .*-D $pg/data|pg_ctl .*-D $pg/data)" >/dev/null || break
  sleep 0.1
done
if [ -z "$keep" ]; then
  "$script" stop "$pg"
  rm -rf "$dir"
elif [ -f "$pg/data/PG_VERSION" ]; then
  as_postgres=; [ "$(id -u)" -ne 0 ] || as_postgres="runuser -u postgres --"
  (cd "$pg" && $as_postgres ${PG_BIN}/pg_ctl -D "$pg/data" -m fast -w stop)
fi
`;

/** Starts the reaper of a cluster: PGDIR, its PostgreSQL server's folder; DIR, the rest. */
function startReaper(pgDir, dir) {
  const keep = process.env.OAT_KEEP_TEST_DIRS ? '1' : '';
  spawn('bash', ['-c', REAPER, 'oat-cluster-reaper', String(process.pid), pgDir, dir, POSTGRES_SCRIPT, keep],
    { detached: true, stdio: 'ignore' }).unref();
}

/** A PostgreSQL 15 server in a folder of its own (scripts/postgres), stopped and started at will. */
export class Postgres {
  /** Starts a new server in DIR, an empty folder (made with mkdtemp under the system's temporary folder). */
  static async start(dir) {
    const pg = new Postgres(dir);
    pg.uri = (await runOk(POSTGRES_SCRIPT, ['start', dir], { timeout: 120_000 })).stdout.trim();
    return pg;
  }

  constructor(dir) {
    this.dir = dir;
    this.uri = undefined;  // postgresql://postgres@/postgres?host=DIR&port=5432
  }

  /** The URI of database NAME on this server. */
  database(name) {
    const m = URI_RE.exec(this.uri);
    return `${m[1]}/${name}${m[3] ?? ''}`;
  }

  /** Runs SQL (psql, stopping at the first error) in database DB (default: postgres); its stdout. */
  async sql(sql, db = 'postgres') {
    const r = await runOk(PSQL, [this.database(db), '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    return r.stdout.trim();
  }

  /** Creates database NAME; its URI. */
  async createDatabase(name) {
    await this.sql(`CREATE DATABASE ${name}`);
    return this.database(name);
  }

  /** Stops the server (fast shutdown: sessions are ended), keeping its folder; waits until down. */
  async stopServer() {
    const r = await this.#pgCtl(['-m', 'fast', '-w', '-t', '60', 'stop']);
    if (r.code !== 0) throw new Error(`pg_ctl stop in ${this.dir}: ${r.stdout}${r.stderr}`);
  }

  /** Starts the stopped server again (scripts/postgres start on its folder); waits until it accepts. */
  async startServer() {
    await runOk(POSTGRES_SCRIPT, ['start', this.dir], { timeout: 120_000 });
  }

  /** Stops the server and removes its folder (scripts/postgres stop). Safe to call twice. */
  async remove() {
    if (process.env.OAT_KEEP_TEST_DIRS) {
      if (existsSync(join(this.dir, 'data'))) await this.#pgCtl(['-m', 'fast', '-w', '-t', '60', 'stop']);
    } else {
      await runOk(POSTGRES_SCRIPT, ['stop', this.dir], { timeout: 120_000 });
    }
  }

  // pg_ctl on the server's data folder, run as scripts/postgres runs it: as user postgres when
  // we are root (PostgreSQL refuses root), from inside the folder (which only that user may read).
  #pgCtl(args) {
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const command = [...asPostgres, `${PG_BIN}/pg_ctl`, '-D', join(this.dir, 'data'), ...args];
    return run('sh', ['-c', 'cd "$1" && shift && exec "$@"', 'sh', this.dir, ...command], { timeout: 90_000 });
  }
}

// ---------------------------------------------------------------------------------------------
// Nodes: `oatd serve` on a shared database and key
// ---------------------------------------------------------------------------------------------

/**
 * One `oatd serve` of the cluster; requests as Oatd's (request, get, post, tokenService, ...).
 * restart() brings it back on the same port, so nginx's upstream list stays right.
 */
export class Node extends Oatd {
  constructor(name, { dir, db, key, args = [] }) {
    super(dir);
    this.name = name;
    this.db = db;
    this.key = key;
    this.args = args;
    this.starts = 0;
  }

  /** Starts `oatd serve` on 127.0.0.1:PORT (0: any free port) and waits for its "listening" line. */
  start(port = 0) {
    const child = start(OATD, [
      'serve', '--db', this.db, '--key', this.key, '--listen', `127.0.0.1:${port}`, ...this.args,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = child.exited;
    this.starts += 1;
    appendFileSync(join(this.dir, 'pids'), `${child.pid}\n`);  // for the reaper
    let log = '';  // this run's stderr
    child.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => {
      this.stderr += d;
      log += d;
    });
    return listeningPort(child, () => log, `${this.name}: oatd serve`).then((listening) => {
      this.port = listening;
      this.url = `http://127.0.0.1:${listening}`;
      return this;
    });
  }

  /** Stops it (SIGTERM; it finishes what is in flight and flushes) and starts it on the same port. */
  async restart() {
    await this.stop();
    await this.start(this.port);
  }

  get pid() {
    return this.child?.pid;
  }

  /** SIGSTOP: the process freezes (no answers, no background flushes) until resume(). */
  pause() {
    this.child.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume() {
    if (running(this.child)) this.child.kill('SIGCONT');
  }

  toString() {
    return this.name;
  }
}

/** Requests to nginx, with the same methods as a node's (Oatd's). */
export class Proxy extends Oatd {
  constructor(port) {
    super(undefined);
    this.name = 'nginx';
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  toString() {
    return this.name;
  }
}

// ---------------------------------------------------------------------------------------------
// nginx in front of the nodes
// ---------------------------------------------------------------------------------------------

/** A free loopback TCP port, as the kernel hands one out (free when this returns). */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

function nginxConf(dir, port, upstreams) {
  return `# nginx in front of the oatd nodes of a cluster test (tests/cluster/harness.mjs)
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # Round-robin, with keep-alive connections to the nodes, as docs/deploy.md configures it.
  # nginx's defaults otherwise: a request whose connection to a node fails goes to the next node
  # (proxy_next_upstream error timeout), except a non-idempotent one (POST, PATCH) already sent
  # to a node, which gets 502; a node that failed is skipped for 10 s.
  upstream oatd {
${upstreams.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://oatd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      # oatd takes the TCP peer as the client address (nginx's, 127.0.0.1) and reads no
      # X-Forwarded-For, so none is set.
      proxy_connect_timeout 5s;
      proxy_read_timeout 30s;
    }
  }
}
`;
}

/** Debian's nginx (`nginx -c CONF -g 'daemon off;'`), a child process with its files in DIR. */
export class Nginx {
  static async start(dir, upstreams, { pids } = {}) {
    mkdirSync(dir, { recursive: true });
    let lastError;
    for (let attempt = 1; attempt <= 3; ++attempt) {  // the free port may be taken meanwhile
      const nginx = new Nginx(dir, await freePort(), upstreams);
      nginx.pids = pids;
      try {
        await nginx.#launch();
        return nginx;
      } catch (error) {
        lastError = error;
        await nginx.stop();
      }
    }
    throw lastError;
  }

  constructor(dir, port, upstreams) {
    this.dir = dir;
    this.port = port;
    this.upstreams = upstreams;
    this.conf = join(dir, 'nginx.conf');
    this.stderr = '';
  }

  async #launch() {
    writeFileSync(this.conf, nginxConf(this.dir, this.port, this.upstreams));
    const child = start(NGINX, ['-p', `${this.dir}/`, '-e', join(this.dir, 'error.log'), '-c', this.conf,
      '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    if (this.pids) appendFileSync(this.pids, `${child.pid}\n`);  // for the reaper
    child.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    const failed = new Promise((_, reject) => {
      child.on('error', (e) => reject(new Error(`cannot run ${NGINX}: ${e.message}`)));
      child.exited.then(({ code, signal }) => reject(new Error(
        `nginx exited (${code ?? signal}) at start: ${this.stderr}${this.errorLog()}`)));
    });
    failed.catch(() => {});
    await Promise.race([failed, waitFor(() => canConnect(this.port), `nginx listening on ${this.port}`,
      { timeout: WAIT_MS, interval: 50 })]);
  }

  /** nginx's error log so far ('' when there is none). */
  errorLog() {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops nginx (SIGTERM: fast shutdown, then SIGKILL if it lingers). Safe to call twice. */
  stop() {
    return stop(this.child);
  }
}

function canConnect(port) {
  return new Promise((resolvePromise) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.on('error', () => resolvePromise(false));
  });
}

// ---------------------------------------------------------------------------------------------
// The cluster of a test file
// ---------------------------------------------------------------------------------------------

/**
 * The cluster suite's world: users owner (owner of every organization) and victim (a member of
 * acme, for failed sign-ins); acme (Team, repositories app and web), race (Team, empty) and
 * bizco (Business, repository app).
 */
export const WORLD = {
  users: ['owner', 'victim'],
  orgs: {
    acme: { plan: 'team', members: { owner: 'owner', victim: 'member' }, repos: ['app', 'web'] },
    race: { plan: 'team', members: { owner: 'owner' }, repos: ['app'] },
    bizco: { plan: 'business', members: { owner: 'owner' }, repos: ['app'] },
  },
};

/**
 * Registers the file's before/after hooks: PostgreSQL of its own, database `oat` seeded with
 * WORLD through `oatd admin`, NODES `oatd serve` nodes (named A, B, C, ...) on it with one --key
 * file and `--registry-events-secret-file` (the secret: cluster.eventsSecret), started together,
 * nginx in front of them, then SETUP(cluster). Returns the cluster object they fill in:
 *   {dir, pg, db, key, eventsSecret, nodes: [Node], proxy: Proxy, nginx: Nginx}
 * plus its methods below. The after hook stops nginx, every node and PostgreSQL, and removes the
 * folders, whatever happened.
 */
export function useCluster({ nodes = 2, world = WORLD, setup } = {}) {
  const cluster = new Cluster();
  before(async () => {
    await cluster.start({ nodes, world });
    if (setup) await setup(cluster);
  });
  after(async () => {
    await cluster.stop();
  });
  return cluster;
}

export class Cluster {
  async start({ nodes, world }) {
    this.dir = mkdtempSync(join(tmpdir(), 'oat-cluster-'));
    const pgDir = mkdtempSync(join(tmpdir(), 'oat-cluster-pg-'));
    startReaper(pgDir, this.dir);
    this.pg = await Postgres.start(pgDir);
    this.db = await this.pg.createDatabase('oat');
    await seed(this.db, world);
    this.key = join(this.dir, 'signing-key.pem');
    this.eventsSecret = randomBytes(16).toString('hex');
    const secretFile = join(this.dir, 'registry-events.secret');
    writeFileSync(secretFile, `${this.eventsSecret}\n`, { mode: 0o600 });
    const names = 'ABCDEFGH'.slice(0, nodes).split('');
    this.nodes = names.map((name) => new Node(name, {
      dir: this.dir, db: this.db, key: this.key, args: ['--registry-events-secret-file', secretFile],
    }));
    // Together, as servers of one service start: one creates the shared key, the others read it.
    await Promise.all(this.nodes.map((n) => n.start()));
    this.nginx = await Nginx.start(join(this.dir, 'nginx'), this.nodes.map((n) => n.port),
      { pids: join(this.dir, 'pids') });
    this.proxy = new Proxy(this.nginx.port);
  }

  async stop() {
    const steps = [
      () => this.nginx?.stop(),
      () => Promise.all((this.nodes ?? []).map((n) => { n.resume(); return n.stop(); })),
      () => this.pg?.remove(),
      () => { if (this.dir && !process.env.OAT_KEEP_TEST_DIRS) rmSync(this.dir, { recursive: true, force: true }); },
    ];
    const errors = [];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw errors[0];
  }

  /** Every way in: nginx, then each node directly. */
  get endpoints() {
    return [this.proxy, ...this.nodes];
  }

  /** The node named NAME. */
  node(name) {
    return this.nodes.find((n) => n.name === name);
  }

  /** The certificate of the shared signing key (`oatd cert --key`), PEM. */
  async certificate() {
    return (await runOk(OATD, ['cert', '--key', this.key])).stdout;
  }

  /** What the nodes logged (stderr), for a failing assertion's message. */
  logs() {
    return this.nodes.map((n) => `--- ${n.name} (port ${n.port}) stderr:\n${n.stderr.slice(-4000)}`).join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------------

let nextAddress = 0;
/**
 * A loopback address no other request of this file used (127.0.0.2, ...): failed sign-ins count
 * per client address too, so tests that fail sign-ins send each from its own address (the request
 * option `from`, to a node directly).
 */
export function freshClientAddress() {
  const n = nextAddress++;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

/**
 * ENDPOINT.request(...) timed, never throwing for a failed connection: {endpoint, reply} or
 * {endpoint, error} (the connection failed or broke), and ms, the time it took. A reply that
 * breaks the API's description (replyChecks) is {endpoint, wrong} (its AssertionError).
 */
export async function attempt(endpoint, method, path, options) {
  const t0 = performance.now();
  const done = (result) => ({ endpoint: endpoint.name, ms: performance.now() - t0, ...result });
  try {
    return done({ reply: await endpoint.request(method, path, options) });
  } catch (error) {
    if (error instanceof assert.AssertionError) return done({ wrong: error });
    return done({ error });
  }
}

/** Whether ERROR is a broken or refused connection (as fetch and node:http report them). */
export function isConnectionError(error) {
  const codes = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'];
  for (let e = error; e; e = e.cause) {
    if (codes.includes(e.code)) return true;
    if (/other side closed|socket hang up|ECONNRESET|ECONNREFUSED/.test(e.message ?? '')) return true;
  }
  return false;
}

/** The shape of every error answer of the management API: {"detail","message"}, non-empty strings. */
export function assertDetailError(reply, status) {
  assert.equal(reply.status, status, String(reply));
  assert.ok(reply.body && typeof reply.body === 'object', `JSON body: ${reply}`);
  assert.deepEqual(Object.keys(reply.body).sort(), ['detail', 'message'], `error body: ${reply}`);
  assert.ok(typeof reply.body.detail === 'string' && reply.body.detail.length > 0, String(reply));
  assert.ok(typeof reply.body.message === 'string' && reply.body.message.length > 0, String(reply));
  return reply.body.detail;
}

/** A Retry-After of whole seconds, at least 1 and at most MAX; its value. */
export function assertRetryAfter(reply, max = 300) {
  const value = reply.headers['retry-after'];
  const seconds = Number(value);
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= max,
    `Retry-After: ${value} on ${reply}`);
  return seconds;
}

/** The refusal of a create at the plan's LIMIT (as tests/api/quota.test.mjs has it): 400 {fields, text} stating it. */
export function assertQuotaRefusal(reply, limit) {
  assert.equal(reply.status, 400, String(reply));
  assert.deepEqual(Object.keys(reply.body).sort(), ['fields', 'text'], String(reply));
  const stated = new RegExp(`\\b${limit}\\b`);
  assert.match(reply.body.text, stated, 'the message states the limit');
  assert.ok(Object.values(reply.body.fields).flat().some((m) => stated.test(m)), String(reply));
}

/** Creates a token in ORG as BEARER at ENDPOINT (tokenRequest with FIELDS); the Reply, any status. */
export function createToken(endpoint, org, bearer, fields = {}) {
  return endpoint.post(`/v2/orgs/${org}/access-tokens`, tokenRequest(org, fields), { bearer });
}

/** The registry token service at ENDPOINT: a pull of ORG/REPO signed in as ORG with SECRET. */
export function registrySignIn(endpoint, org, secret, { repo = 'app', from } = {}) {
  const q = new URLSearchParams({ service: 'oat-registry', scope: `repository:${org}/${repo}:pull` });
  return endpoint.get(`/token?${q}`, { basic: [org, secret], from });
}

/** Whether the ES256 JWT was signed by the key of the certificate CERT (PEM). */
export function signedBy(jwt, cert) {
  const { signed, signature } = decodeJwt(jwt);
  const key = new X509Certificate(cert).publicKey;
  return verify('sha256', Buffer.from(signed), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'));
}

/** Seconds since the epoch of an RFC 3339 time of the API (null stays null). */
export const epoch = (time) => (time === null ? null : Date.parse(time) / 1000);
