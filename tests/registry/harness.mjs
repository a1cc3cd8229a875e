// Harness for the registry end-to-end tests: a real oatd, a real registry (Debian's
// docker-registry, distribution 2.8) trusting oatd's signing key, and skopeo as the client;
// oatd, processes, JWTs and waiting come from tests/lib/.
//
// Everything runs on loopback, on ports chosen at run time, inside one temporary directory.
// Stack.start({ tls: true }) serves both over HTTPS, as in production: a throwaway certificate
// authority (tests/lib/tls.mjs) signs one certificate that oatd and the registry both serve, the
// registry trusts the authority for its notifications (SSL_CERT_FILE) and skopeo through a
// certificate folder (--cert-dir and friends), with verification on.
// Every process started here is stopped by Stack.stop() (called from the tests' after() hooks),
// and, should a test file die first, by tests/lib/processes.mjs.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { testDatabase } from '../lib/database.mjs';
import { OATD, Oatd, REGISTRY_SERVICE, admin, signingKeyFile } from '../lib/oatd.mjs';
import { run, runOk, running, start, stop } from '../lib/processes.mjs';
import { sleep, waitFor } from '../lib/time.mjs';
import { issueServerCertificate, makeCertificateAuthority } from '../lib/tls.mjs';
import { makeDataDir, removeDataDir, seed } from '../lib/world.mjs';

export { decodeJwt } from '../lib/jwt.mjs';
export { rfc3339, sleep, waitFor } from '../lib/time.mjs';

export const REGISTRY = process.env.DOCKER_REGISTRY ?? 'docker-registry';
export const SKOPEO = process.env.SKOPEO ?? 'skopeo';
// What the registry's configuration names, and oatd is told the same (its defaults, spelled out).
export const SERVICE = REGISTRY_SERVICE;
export const ISSUER = 'oatd';

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
// Small helpers for the token service's answers and the tokens' resources.
// ---------------------------------------------------------------------------------------------
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

export const repo = (path, ...scopes) => ({ type: 'TYPE_REPO', path, scopes });

// A folder DIR that skopeo takes as --cert-dir (containers/image's equivalent of docker's
// /etc/docker/certs.d/HOST:PORT/): ca.crt, the authority CA ({certFile}) it trusts. DIR.
export function certDir(dir, ca) {
  mkdirSync(dir, { recursive: true });
  copyFileSync(ca.certFile, join(dir, 'ca.crt'));
  return dir;
}

// GET https://HOST/PATH trusting CA (a PEM), on a connection of its own; resolves the status.
// (Global fetch cannot be given an authority to trust.)
export function httpsStatus(host, path, ca) {
  const [hostname, port] = host.split(':');
  return new Promise((resolvePromise, reject) => {
    const req = https.get({ host: hostname, port, path, ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`GET https://${host}${path}: no answer`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// A stack: oatd (seeded), optionally a registry trusting it, and skopeo pointed at both.
//
// Seed: user "owner" (password(owner), signed in as stack.bearer), owner of two Business
// organizations:
//   acme:  acme/app, acme/web (private), acme/docs (public)
//   other: other/pub (public), other/secret (private)
//
// With { tls: true } oatd and the registry serve HTTPS with one certificate (stack.server, for
// 127.0.0.1 and localhost) signed by stack.ca, the registry's token realm and notification
// endpoint are https:// URLs, and skopeo verifies both against stack.ca through the certificate
// folder stack.certDir. OATDARGS: more arguments of `oatd serve` (e.g. --oidc-issuer), given to
// stack.oatd and to every oatd stack.startOatd() starts.
// ---------------------------------------------------------------------------------------------
export class Stack {
  static async start({ registry = true, tls = false, oatdArgs = [] } = {}) {
    const stack = new Stack();
    stack.tls = tls;
    stack.oatdArgs = oatdArgs;
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

  dir = makeDataDir('registry');
  db;      // oatd's --db: testDatabase(dir), the backend under test's
  eventsSecret = randomBytes(16).toString('hex');
  registryLog = '';
  tls = false;  // whether oatd and the registry serve HTTPS
  ca;           // with tls: the authority ({certFile, keyFile, pem}) that signed ...
  server;       // ... the certificate both serve ({certFile, keyFile, pem, serial})
  certDir;      // with tls: skopeo's certificate folder, ca.crt = ca
  oatdTls;      // with tls: {certFile, keyFile}, oatd's copies of server's files (read again on
                // SIGHUP: a test may swap in another certificate; the registry's stay as they are)
  oatd;    // the Oatd (tests/lib/oatd.mjs): its requests, logs and process
  oatdArgs = [];  // more arguments of `oatd serve`, for every oatd of the stack
  bearer;  // the owner's, for the management API
  #registry;
  #moreOatds = [];  // the oatd startOatd() started
  #images = 0;
  #oatdOptions;  // Oatd.start's options for the stack's oatd

  async #start(withRegistry) {
    this.db = await testDatabase(this.dir);
    await seed(this.db, {
      users: ['owner'],
      orgs: {
        acme: { plan: 'business', members: { owner: 'owner' }, repos: ['app', 'web'], publicRepos: ['docs'] },
        other: { plan: 'business', members: { owner: 'owner' }, repos: ['secret'], publicRepos: ['pub'] },
      },
    });
    this.certFile = join(this.dir, 'cert.pem');
    await runOk(OATD, ['cert', '--db', this.db, '--key', signingKeyFile(this.dir), '--out', this.certFile]);
    this.certificate = readFileSync(this.certFile, 'utf8');
    const secretFile = join(this.dir, 'events.secret');
    writeFileSync(secretFile, `${this.eventsSecret}\n`);
    writeFileSync(join(this.dir, 'registries.conf'), '');  // skopeo: no mirrors, no search lists

    let tls;
    if (this.tls) {
      const tlsDir = join(this.dir, 'tls');
      mkdirSync(tlsDir);
      this.ca = await makeCertificateAuthority(tlsDir);
      this.server = await issueServerCertificate(this.ca, tlsDir, 'server');
      this.certDir = certDir(join(this.dir, 'certs.d'), this.ca);
      this.oatdTls = { certFile: join(tlsDir, 'oatd.pem'), keyFile: join(tlsDir, 'oatd.key') };
      copyFileSync(this.server.certFile, this.oatdTls.certFile);
      copyFileSync(this.server.keyFile, this.oatdTls.keyFile);
      tls = { ...this.oatdTls, ca: this.ca.pem };
    }
    this.#oatdOptions = { tls, args: [
      '--registry-service', SERVICE, '--registry-issuer', ISSUER, '--registry-events-secret-file', secretFile,
      ...this.oatdArgs,
    ] };
    this.oatd = await Oatd.start(this.dir, this.#oatdOptions);
    this.url = this.oatd.url;
    this.bearer = await this.oatd.signIn('owner');
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
  addr: ${this.registryHost}${this.tls ? `
  tls:
    certificate: ${this.server.certFile}
    key: ${this.server.keyFile}` : ''}
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
    // Over TLS the registry's notifications go to https://; Go reads the authorities it trusts
    // from SSL_CERT_FILE (instead of the system's bundle file).
    const child = start(REGISTRY, ['serve', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: this.dir, ...(this.tls ? { SSL_CERT_FILE: this.ca.certFile } : {}) },
    });
    child.stdout.on('data', (d) => { this.registryLog += d; });
    child.stderr.on('data', (d) => { this.registryLog += d; });
    this.#registry = child;
    await waitFor(async () => {
      if (!running(child)) throw new Error(`docker-registry exited: ${this.registryLog}`);
      try {
        if (this.tls) return (await httpsStatus(this.registryHost, '/v2/', this.ca.pem)) === 401;
        return (await fetch(`http://${this.registryHost}/v2/`)).status === 401;
      } catch { return false; }
    }, 'docker-registry to answer', { timeout: 15000, interval: 100 });
  }

  // Another oatd on the stack's database and signing key, with the stack's arguments and ARGS
  // (e.g. --test-only-clock-offset); the registry keeps asking stack.oatd. Stopped by stop().
  async startOatd(args = []) {
    const server = await Oatd.start(this.dir, { ...this.#oatdOptions, args: [...this.#oatdOptions.args, ...args] });
    this.#moreOatds.push(server);
    return server;
  }

  async stop() {
    await stop(this.#registry);
    for (const server of this.#moreOatds) await server.stop();
    await this.oatd?.stop();
    await removeDataDir(this.dir);
  }

  // oatd's JSON access-log lines so far, parsed.
  get accessLog() {
    return (this.oatd?.logLines() ?? []).map((line) => {
      try { return JSON.parse(line); } catch { return { raw: line }; }
    });
  }

  // The statuses of the token service's answers logged after access-log position `mark`
  // (stack.accessLog.length taken before an operation); waits up to 2 s for the first one, as
  // oatd logs a request once answered and the line reaches this process a little later.
  async tokenAnswers(mark) {
    const since = () => this.accessLog.slice(mark).filter((l) => l.path === '/token');
    await waitFor(() => since().length > 0, "a /token line in oatd's access log", { timeout: 2000 })
      .catch((error) => {
        error.message += `\n${this.logs()}`;
        throw error;
      });
    await sleep(50);
    return since().map((l) => l.status);
  }

  // The tail of the servers' logs, to explain a failure.
  logs(lines = 40) {
    const tail = (text) => text.split('\n').slice(-lines).join('\n');
    const access = this.accessLog.slice(-lines).map((l) => JSON.stringify(l)).join('\n');
    return `--- oatd access log ---\n${access}\n--- oatd stderr ---\n${tail(this.oatd?.stderr ?? '')}\n` +
           `--- registry log ---\n${tail(this.registryLog)}`;
  }

  // Runs `oatd admin --db <this stack's database> ...args` (also while oatd serves).
  admin(...args) { return admin(this.db, args); }

  // --- management API, as the owner -------------------------------------------------------
  // Creates an access token of `org`; resolves {id, token, ...the token object}.
  createToken(org, resources, { label = 'e2e', expires_at = null } = {}) {
    return this.oatd.createToken(org, this.bearer, { label, resources, expires_at });
  }

  // A push-scoped token `label` for REPOSITORY (org/name), and the test image pushed with it, so
  // that the repository exists; resolves the token. Throws, with the logs, when the push fails.
  async seed(repository, label = 'ci') {
    const org = repository.split('/')[0];
    const ci = await this.createToken(org, [repo(repository, 'scope-image-push')], { label });
    const result = await this.push(repository, org, ci.token);
    if (result.code !== 0) throw new Error(`seeding ${repository}: ${this.explain(result)}`);
    return ci;
  }

  getToken(org, id) { return this.oatd.token(org, id, this.bearer); }

  // Polls GET token `id` of acme until `ready(token)` holds (at most 8 s: oatd writes usage
  // once a second); resolves the last token object, ready or not: the caller's assertion says
  // what is missing, with the servers' logs.
  async tokenWhen(id, ready) {
    let last;
    await waitFor(async () => {
      last = (await this.getToken('acme', id)).body;
      return ready(last);
    }, `token ${id} to be ready`, { timeout: 8000, interval: 200 }).catch(() => {});
    return last;
  }
  patchToken(org, id, body) {
    return this.oatd.patch(`/v2/orgs/${org}/access-tokens/${id}`, body, { bearer: this.bearer });
  }
  deleteToken(org, id) {
    return this.oatd.delete(`/v2/orgs/${org}/access-tokens/${id}`, { bearer: this.bearer });
  }

  async repositories(org) {
    const r = await this.oatd.get(`/v2/namespaces/${org}/repositories?page_size=100`, { bearer: this.bearer });
    if (r.status !== 200) throw new Error(`repositories: ${r}`);
    return r.body.results.map((x) => x.name);
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

  // skopeo's TLS options for the registry side SIDE ('src', 'dest', or '' for login): plain HTTP
  // without verification, or, over TLS, verification on against the certificate folder CERTDIR
  // (default: the stack's, trusting stack.ca). skopeo's one HTTP client serves the registry and
  // its token realm, so the folder's authority is what both are verified against.
  #tlsFlags(side, certDir = this.certDir) {
    const prefix = side ? `--${side}-` : '--';
    return this.tls ? [`${prefix}tls-verify=true`, `${prefix}cert-dir`, certDir] : [`${prefix}tls-verify=false`];
  }

  // Pushes a freshly built image to `repository` (org/name) as `org:token`. certDir: another
  // certificate folder than the stack's (over TLS).
  push(repository, org, token, tag = 'v1', { certDir } = {}) {
    const image = makeImage(this.#workdir('image'), tag);
    return this.skopeo(['copy', ...this.#tlsFlags('dest', certDir), '--dest-creds', `${org}:${token}`,
      `oci:${image.dir}:${tag}`, `docker://${this.registryHost}/${repository}:${tag}`]);
  }

  // Pulls `repository:tag` into a local OCI layout as `user:token`. certDir: as push's.
  pull(repository, user, token, tag = 'v1', { certDir } = {}) {
    return this.skopeo(['copy', ...this.#tlsFlags('src', certDir), '--src-creds', `${user}:${token}`,
      `docker://${this.registryHost}/${repository}:${tag}`, `oci:${this.#workdir('pulled')}:${tag}`]);
  }

  login(user, token, { certDir } = {}) {
    return this.skopeo(['login', ...this.#tlsFlags('', certDir), '--authfile', join(this.dir, 'auth.json'),
      '-u', user, '-p', token, this.registryHost]);
  }

  // A message for an assertion on a skopeo run: its output and the servers' logs.
  explain(result) {
    return `skopeo exited ${result.code}\n${result.stderr}\n${this.logs()}`;
  }
}

// What skopeo prints when the registry refuses it (401 from the registry, or from the realm).
export const REFUSED = /unauthorized|authentication required|denied|invalid username\/password/i;
