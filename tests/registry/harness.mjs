// Harness for the registry end-to-end tests: a real oatd, a real registry (Debian's
// docker-registry, distribution 2.8) trusting oatd's signing key, and skopeo as the client.
//
// Everything runs on loopback, on ports chosen at run time, inside one temporary directory.
// Every process started here is stopped by Stack.stop() (called from the tests' after() hooks),
// and, should a test file die first, by the exit and signal handlers below.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const OATD = process.env.OATD ?? resolve(here, '../../build/native/native/oatd');
export const REGISTRY = process.env.DOCKER_REGISTRY ?? 'docker-registry';
export const SKOPEO = process.env.SKOPEO ?? 'skopeo';
export const SERVICE = 'oat-registry';
export const ISSUER = 'oatd';

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked until it has exited.
// ---------------------------------------------------------------------------------------------
const children = new Set();

function killAll() {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
  process.on(signal, () => { killAll(); process.exit(128 + number); });
}

function track(child) {
  children.add(child);
  child.exited = new Promise((done) => child.once('close', (code, signal) => {
    children.delete(child);
    done({ code, signal });
  }));
  return child;
}

// Stops a child: SIGTERM, then SIGKILL after `grace` ms. Never waits forever.
async function stopChild(child, grace = 5000) {
  if (!child || !children.has(child)) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), grace);
  await child.exited;
  clearTimeout(timer);
}

// Runs a command to completion (killed after `timeout` ms); resolves {code, stdout, stderr}.
export function run(command, args, { input, env, timeout = 120000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = track(spawn(command, args, {
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    const timer = setTimeout(() => {
      stderr += `\n[harness: killed after ${timeout} ms]`;
      child.kill('SIGKILL');
    }, timeout);
    child.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 128, signal, stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {});  // EPIPE when the command exits without reading it
      child.stdin.end(input);
    }
  });
}

async function runOk(command, args, options) {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

export async function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `probe` until it returns a truthy value or `timeout` ms pass; returns the last value.
export async function waitFor(probe, { timeout = 10000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value || Date.now() >= deadline) return value;
    await sleep(interval);
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny OCI image layout, built on the spot: one gzipped tar layer holding one small file.
// Each image has random content, so no two pushes share a blob.
// ---------------------------------------------------------------------------------------------
function tarOfOneFile(name, content) {
  const header = Buffer.alloc(512);
  const field = (offset, length, text) => header.write(text, offset, length, 'ascii');
  const octal = (value, length) => value.toString(8).padStart(length - 1, '0') + '\0';
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(content.length, 12));
  field(136, 12, octal(1700000000, 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

export function makeImage(dir, tag = 'v1') {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (data) => {
    const hex = sha256(data);
    writeFileSync(join(dir, 'blobs', 'sha256', hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const tar = tarOfOneFile('hello.txt', Buffer.from(`hello ${randomBytes(16).toString('hex')}\n`));
  const layer = put(gzipSync(tar));
  const config = put(Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(tar)}`] },
    config: {},
  })));
  const manifestType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: manifestType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  })));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: manifestType, ...manifest,
                  annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { dir, tag, digest: manifest.digest };
}

// ---------------------------------------------------------------------------------------------
// Small helpers for the token service's answers.
// ---------------------------------------------------------------------------------------------
export const basic = (user, password) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export function decodeJwt(jwt) {
  const [header, claims, signature] = jwt.split('.');
  const part = (text) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  return { header: part(header), claims: part(claims), signature, signed: `${header}.${claims}` };
}

// The libtrust key ID of a certificate's public key: SHA-256 of the DER SubjectPublicKeyInfo,
// first 30 bytes, base32 without padding, 12 groups of 4 joined by ':'.
export function libtrustKeyId(certificatePem) {
  const der = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  const bytes = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let text = '';
  for (let i = 0; i < bits.length; i += 5) text += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return text.match(/.{4}/g).join(':');
}

// RFC 3339 UTC with whole seconds, as the API takes it: 2026-11-30T16:56:12Z.
export const rfc3339 = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const repo = (path, ...scopes) => ({ type: 'TYPE_REPO', path, scopes });

// ---------------------------------------------------------------------------------------------
// A stack: oatd (seeded), optionally a registry trusting it, and skopeo pointed at both.
//
// Seed: user "owner", owner of two Business organizations:
//   acme:  acme/app, acme/web (private), acme/docs (public)
//   other: other/pub (public), other/secret (private)
// ---------------------------------------------------------------------------------------------
export class Stack {
  static async start({ registry = true } = {}) {
    const stack = new Stack();
    try {
      await stack.#start(registry);
    } catch (error) {
      const logs = stack.logs();
      await stack.stop();
      error.message += `\n${logs}`;
      throw error;
    }
    return stack;
  }

  dir = mkdtempSync(join(tmpdir(), 'oat-registry-test-'));
  password = `pw-${randomBytes(12).toString('hex')}`;
  eventsSecret = randomBytes(16).toString('hex');
  accessLog = [];   // oatd's JSON access log lines, parsed
  oatdErr = '';
  registryLog = '';
  #oatd;
  #registry;
  #bearer;
  #images = 0;

  async #start(withRegistry) {
    const db = join(this.dir, 'oat.db');
    const admin = (...args) => runOk(OATD, ['admin', '--db', db, ...args]);
    await runOk(OATD, ['admin', '--db', db, 'user', 'add', 'owner'], { input: `${this.password}\n` });
    for (const org of ['acme', 'other']) {
      await admin('org', 'add', org, '--plan', 'business');
      await admin('member', 'add', org, 'owner', '--role', 'owner');
    }
    await admin('repo', 'add', 'acme/app');
    await admin('repo', 'add', 'acme/web');
    await admin('repo', 'add', 'acme/docs', '--public');
    await admin('repo', 'add', 'other/pub', '--public');
    await admin('repo', 'add', 'other/secret');
    this.certFile = join(this.dir, 'cert.pem');
    await runOk(OATD, ['cert', '--db', db, '--out', this.certFile]);
    this.certificate = readFileSync(this.certFile, 'utf8');
    const secretFile = join(this.dir, 'events.secret');
    writeFileSync(secretFile, `${this.eventsSecret}\n`);
    writeFileSync(join(this.dir, 'registries.conf'), '');  // skopeo: no mirrors, no search lists

    this.#oatd = await this.#startOatd(db, ['--registry-events-secret-file', secretFile]);
    this.url = `http://127.0.0.1:${this.#oatd.port}`;
    if (!withRegistry) return;
    // The registry gets a port found free a moment before; should another process take it in
    // between, the registry exits at once and the next attempt picks another.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#startRegistry();
        return;
      } catch (error) {
        if (attempt === 3 || !/exited/.test(error.message)) throw error;
      }
    }
  }

  // Starts `oatd serve` on a free port; resolves once it prints where it listens.
  async #startOatd(db, extra) {
    const child = track(spawn(OATD, [
      'serve', '--db', db, '--listen', '127.0.0.1:0',
      '--registry-service', SERVICE, '--registry-issuer', ISSUER, ...extra,
    ], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let pending = '';
    child.stdout.on('data', (d) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        try { this.accessLog.push(JSON.parse(line)); } catch { this.accessLog.push({ raw: line }); }
      }
    });
    child.stderr.on('data', (d) => { this.oatdErr += d; });
    const port = await waitFor(() => {
      if (!children.has(child)) throw new Error(`oatd exited: ${this.oatdErr}`);
      return this.oatdErr.match(/listening on [\d.]+:(\d+)/)?.[1];
    }, { timeout: 10000, interval: 50 });
    if (!port) throw new Error(`oatd did not start within 10 s: ${this.oatdErr}`);
    child.port = Number(port);
    return child;
  }

  async #startRegistry() {
    const port = await freePort();
    this.registryHost = `127.0.0.1:${port}`;
    const config = join(this.dir, 'registry.yml');
    writeFileSync(config, `version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${join(this.dir, 'storage')}
  delete:
    enabled: true
http:
  addr: ${this.registryHost}
auth:
  token:
    realm: ${this.url}/token
    service: ${SERVICE}
    issuer: ${ISSUER}
    rootcertbundle: ${this.certFile}
notifications:
  endpoints:
    - name: oatd
      url: ${this.url}/registry/events
      headers:
        Authorization: [Bearer ${this.eventsSecret}]
      timeout: 2s
      threshold: 5
      backoff: 1s
`);
    const child = track(spawn(REGISTRY, ['serve', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: this.dir },
    }));
    child.stdout.on('data', (d) => { this.registryLog += d; });
    child.stderr.on('data', (d) => { this.registryLog += d; });
    this.#registry = child;
    const up = await waitFor(async () => {
      if (!children.has(child)) throw new Error(`docker-registry exited: ${this.registryLog}`);
      try {
        return (await fetch(`http://${this.registryHost}/v2/`)).status === 401;
      } catch { return false; }
    }, { timeout: 15000, interval: 100 });
    if (!up) throw new Error(`docker-registry did not answer within 15 s: ${this.registryLog}`);
  }

  async stop() {
    await stopChild(this.#registry);
    await stopChild(this.#oatd);
    rmSync(this.dir, { recursive: true, force: true });
  }

  // The statuses of the token service's answers logged after access-log position `mark`
  // (stack.accessLog.length taken before an operation); waits up to 2 s for the first one, as
  // oatd logs a request once answered and the line reaches this process a little later.
  async tokenAnswers(mark) {
    const since = () => this.accessLog.slice(mark).filter((l) => l.path === '/token');
    await waitFor(() => since().length > 0, { timeout: 2000, interval: 20 });
    await sleep(50);
    return since().map((l) => l.status);
  }

  // The tail of the servers' logs, to explain a failure.
  logs(lines = 40) {
    const tail = (text) => text.split('\n').slice(-lines).join('\n');
    const access = this.accessLog.slice(-lines).map((l) => JSON.stringify(l)).join('\n');
    return `--- oatd access log ---\n${access}\n--- oatd stderr ---\n${tail(this.oatdErr)}\n` +
           `--- registry log ---\n${tail(this.registryLog)}`;
  }

  // Runs `oatd admin --db <this stack's database> ...args` (also while oatd serves).
  admin(...args) { return runOk(OATD, ['admin', '--db', join(this.dir, 'oat.db'), ...args]); }

  // --- management API ---------------------------------------------------------------------
  async api(method, path, body, { bearer } = {}) {
    const headers = { Authorization: `Bearer ${bearer ?? await this.bearer()}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  async bearer() {
    if (!this.#bearer) {
      const response = await fetch(`${this.url}/v2/auth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ identifier: 'owner', secret: this.password }),
      });
      if (response.status !== 200) throw new Error(`owner sign-in: ${response.status} ${await response.text()}`);
      this.#bearer = (await response.json()).access_token;
    }
    return this.#bearer;
  }

  // Creates an access token of `org`; resolves {id, token, ...the token object}.
  async createToken(org, resources, { label = 'e2e', expires_at = null } = {}) {
    const r = await this.api('POST', `/v2/orgs/${org}/access-tokens`, { label, resources, expires_at });
    if (r.status !== 201) throw new Error(`create token: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  getToken(org, id) { return this.api('GET', `/v2/orgs/${org}/access-tokens/${id}`); }
  patchToken(org, id, body) { return this.api('PATCH', `/v2/orgs/${org}/access-tokens/${id}`, body); }
  deleteToken(org, id) { return this.api('DELETE', `/v2/orgs/${org}/access-tokens/${id}`); }

  async repositories(org) {
    const r = await this.api('GET', `/v2/namespaces/${org}/repositories?page_size=100`);
    if (r.status !== 200) throw new Error(`repositories: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.results.map((x) => x.name);
  }

  // --- the token service, called directly ---------------------------------------------------
  // GET /token with Basic credentials (omitted when `user` is undefined) and the given scopes.
  async tokenGet({ user, password, scopes = [], service = SERVICE, extra = {}, url = this.url } = {}) {
    const query = new URLSearchParams({ service, ...extra });
    for (const scope of scopes) query.append('scope', scope);
    const headers = user === undefined ? {} : { Authorization: basic(user, password) };
    const response = await fetch(`${url}/token?${query}`, { headers });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  // --- skopeo against the registry ----------------------------------------------------------
  skopeo(args) {
    return run(SKOPEO, ['--insecure-policy', '--command-timeout', '60s', ...args], {
      timeout: 90000,
      env: {
        PATH: process.env.PATH,
        HOME: this.dir,
        REGISTRY_AUTH_FILE: join(this.dir, 'auth.json'),
        CONTAINERS_REGISTRIES_CONF: join(this.dir, 'registries.conf'),
        TMPDIR: this.dir,
      },
    });
  }

  #workdir(kind) {
    const dir = join(this.dir, `${kind}-${++this.#images}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  // Pushes a freshly built image to `repository` (org/name) as `org:token`.
  push(repository, org, token, tag = 'v1') {
    const image = makeImage(this.#workdir('image'), tag);
    return this.skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${org}:${token}`,
      `oci:${image.dir}:${tag}`, `docker://${this.registryHost}/${repository}:${tag}`]);
  }

  // Pulls `repository:tag` into a local OCI layout as `user:token`.
  pull(repository, user, token, tag = 'v1') {
    return this.skopeo(['copy', '--src-tls-verify=false', '--src-creds', `${user}:${token}`,
      `docker://${this.registryHost}/${repository}:${tag}`, `oci:${this.#workdir('pulled')}:${tag}`]);
  }

  login(user, token) {
    return this.skopeo(['login', '--tls-verify=false', '--authfile', join(this.dir, 'auth.json'),
      '-u', user, '-p', token, this.registryHost]);
  }

  // A message for an assertion on a skopeo run: its output and the servers' logs.
  explain(result) {
    return `skopeo exited ${result.code}\n${result.stderr}\n${this.logs()}`;
  }
}

// What skopeo prints when the registry refuses it (401 from the registry, or from the realm).
export const REFUSED = /unauthorized|authentication required|denied|invalid username\/password/i;
