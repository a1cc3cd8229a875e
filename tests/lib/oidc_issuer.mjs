// A real OpenID Connect issuer for tests, and the ways an issuer can fail: the discovery
// document and the JWKS are served by the npm package oauth2-mock-server (its OAuth2Service)
// over HTTPS, with a certificate of a throwaway authority (tests/lib/tls.mjs) for 127.0.0.1, so
// that oatd fetches them as it fetches GitHub's or GitLab's (`--oidc-issuer URL`, trusting
// `--oidc-ca-file caFile`).
//
//   const issuer = await startIssuer(dir, { alg: 'RS256' });   // or 'ES256'
//   issuer.url       https://127.0.0.1:PORT, the exact `iss` of its tokens (no trailing slash)
//   issuer.caFile    the authority's certificate (PEM file), for --oidc-ca-file
//   await issuer.mint({ ref: 'refs/heads/dev' })               a signed ID token, GitHub-shaped
//   await issuer.mint({ project_path: 'acme/app' }, { shape: 'gitlab' })
//   await issuer.rotateKey()    a new key replaces the published one (the old one still signs)
//   issuer.unsigned(claims) / issuer.hs256(claims) / tamper(token) / issuer.unknownKid(claims) /
//   issuer.signedAs('PS256', claims)                          forgeries a relying party must refuse
//   issuer.jwksFetches()        how often the JWKS was fetched (issuer.requests: every request)
//   issuer.stalled = true       requests are taken and never answered
//   await issuer.bloatJwks()    the JWKS grows past 256 KiB
//   await issuer.stop()
//
// Several issuers share one authority (one --oidc-ca-file) with startIssuer(dir, { ca }), ca from
// issuerAuthority(dir).
//
// Claims: the shape's defaults (githubClaims, gitlabClaims), then iss, aud, iat, nbf, exp and
// a random jti, then the caller's; a claim given as undefined is left out. Mint options: kid
// (which key signs; default the published one), expiresIn (seconds, default 300), now (the
// Unix time iat and nbf are, default now), header (more header fields).
//
// Beside it: startBlackhole() (a port that accepts connections and never answers),
// closedPort() (a port nothing listens on), startRedirector() (an HTTPS server that answers
// every request with a redirect).
import {
  constants, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes,
  randomInt, randomUUID, sign,
} from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';

import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

import { issueServerCertificate, makeCertificateAuthority } from './tls.mjs';

/** The audience tokens carry unless told otherwise. */
export const DEFAULT_AUDIENCE = 'https://oat.example.com';

/** The repository owner's immutable id in the GitHub-shaped defaults. */
export const GITHUB_OWNER_ID = '1234567';
/** The group's immutable id in the GitLab-shaped defaults. */
export const GITLAB_NAMESPACE_ID = '77';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const hex = (bytes) => randomBytes(bytes).toString('hex');
const digits = () => String(randomInt(1_000_000_000, 9_999_999_999));
const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * The claims of a GitHub Actions ID token for acme/app's release workflow on main, in an
 * environment "production" (a fresh run_id and sha each time), with OVERRIDES.
 */
export function githubClaims(overrides = {}) {
  const sha = hex(20);
  const workflowRef = 'acme/app/.github/workflows/release.yml@refs/heads/main';
  return {
    sub: 'repo:acme/app:ref:refs/heads/main',
    ref: 'refs/heads/main',
    ref_type: 'branch',
    ref_protected: 'true',
    sha,
    repository: 'acme/app',
    repository_id: '7654321',
    repository_owner: 'acme',
    repository_owner_id: GITHUB_OWNER_ID,
    repository_visibility: 'private',
    actor: 'octocat',
    actor_id: '583231',
    run_id: digits(),
    run_number: '42',
    run_attempt: '1',
    workflow: 'release',
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    event_name: 'push',
    head_ref: '',
    base_ref: '',
    environment: 'production',
    runner_environment: 'github-hosted',
    ...overrides,
  };
}

/**
 * The claims of a GitLab CI ID token for project acme/app (group acme, namespace_id 77) on
 * main, in an environment "production", with OVERRIDES. As GitLab sends them, runner_id is a
 * number and the other ids are strings.
 */
export function gitlabClaims(overrides = {}) {
  const sha = hex(20);
  return {
    sub: 'project_path:acme/app:ref_type:branch:ref:main',
    namespace_id: GITLAB_NAMESPACE_ID,
    namespace_path: 'acme',
    project_id: '4242',
    project_path: 'acme/app',
    project_visibility: 'private',
    user_id: '1',
    user_login: 'ci-bot',
    user_email: 'ci-bot@example.com',
    user_access_level: 'maintainer',
    pipeline_id: digits(),
    pipeline_source: 'push',
    job_id: digits(),
    ref: 'main',
    ref_type: 'branch',
    ref_path: 'refs/heads/main',
    ref_protected: 'true',
    environment: 'production',
    environment_protected: 'true',
    deployment_tier: 'production',
    runner_id: 31,
    runner_environment: 'gitlab-hosted',
    sha,
    ci_config_ref_uri: 'gitlab.example.com/acme/app//.gitlab-ci.yml@refs/heads/main',
    ci_config_sha: sha,
    ...overrides,
  };
}

/** TOKEN with one byte of its signature changed (a bit flipped; the text stays base64url). */
export function tamper(token) {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length >> 1] ^= 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** HEADER and PAYLOAD of a compact JWS, decoded (no check). */
export function decodeIdToken(token) {
  const [header, payload] = token.split('.');
  const part = (text) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  return { header: part(header), payload: part(payload) };
}

// A compact JWS over HEADER and PAYLOAD signed with KEY (a node KeyObject) for ALG.
function signJws(alg, key, header, payload) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const data = Buffer.from(input);
  let signature;
  switch (alg) {
    case 'RS256': case 'RS384': case 'RS512':
      signature = sign(`sha${alg.slice(2)}`, data, key);
      break;
    case 'PS256': case 'PS384': case 'PS512':
      signature = sign(`sha${alg.slice(2)}`, data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
      break;
    case 'ES256':
      signature = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
      break;
    case 'ES384':
      signature = sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' });
      break;
    default:
      throw new Error(`signJws: no signing for ${alg} here`);
  }
  return `${input}.${signature.toString('base64url')}`;
}

// A new private key for ALG (RS*/PS*: RSA 2048, ES256: P-256, ES384: P-384).
function newPrivateKey(alg) {
  if (/^(RS|PS)/.test(alg)) return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  if (alg === 'ES384') return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  throw new Error(`no key for ${alg}`);
}

let issuers = 0;

/**
 * Starts an issuer in a new folder under DIR: HTTPS on 127.0.0.1 (any free port), one signing
 * key of ALG ('RS256' or 'ES256', or any algorithm oauth2-mock-server generates), its
 * certificate signed by CA (a makeCertificateAuthority of tls.mjs; default: a new authority of
 * its own). AUDIENCE: the `aud` its tokens carry unless told otherwise.
 */
export async function startIssuer(dir, { alg = 'RS256', ca, audience = DEFAULT_AUDIENCE } = {}) {
  const folder = join(dir, `oidc-issuer-${++issuers}`);
  mkdirSync(folder, { recursive: true });
  const authority = ca ?? await makeCertificateAuthority(folder, 'OIDC issuer test CA');
  const certificate = await issueServerCertificate(authority, folder, 'issuer');
  const issuer = new Issuer({ authority, certificate, audience });
  await issuer.start(alg);
  return issuer;
}

export class Issuer {
  url;                  // https://127.0.0.1:PORT, the issuer's exact name
  port = 0;
  caFile;               // the authority's certificate, a PEM file
  ca;                   // the authority's certificate, PEM text
  audience;
  alg;                  // the published key's algorithm
  kid;                  // the published key's id
  requests = [];        // {method, path, at (ms)}: every request the issuer got, in order
  stalled = false;      // true: requests are taken and never answered (until stop)

  #server;
  #service;             // the package's request handler of the current key set
  #oauth;               // the package's issuer (key store, token building) of the current key set
  #byKid = new Map();   // kid -> the package's issuer holding that key (retired ones too)
  #held = [];           // responses of stalled requests

  constructor({ authority, certificate, audience }) {
    this.caFile = authority.certFile;
    this.ca = authority.pem;
    this.audience = audience;
    this.#server = https.createServer(
      { cert: readFileSync(certificate.certFile), key: readFileSync(certificate.keyFile) },
      (req, res) => {
        this.requests.push({ method: req.method, path: req.url, at: Date.now() });
        if (this.stalled) {
          this.#held.push(res);
          return;
        }
        this.#service.requestHandler(req, res);
      },
    );
  }

  async start(alg) {
    await new Promise((resolvePromise, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolvePromise());
    });
    this.port = this.#server.address().port;
    this.url = `https://127.0.0.1:${this.port}`;
    await this.#useNewKeySet(alg, []);
  }

  // A new key set: the package's issuer and service, with KEEP (private JWKs) and a new key.
  async #useNewKeySet(alg, keep) {
    const oauth = new OAuth2Issuer();
    oauth.url = this.url;
    for (const jwk of keep) await oauth.keys.add(jwk);
    const jwk = await oauth.keys.generate(alg, { kid: `${alg.toLowerCase()}-${hex(8)}` });
    this.#byKid.set(jwk.kid, oauth);
    this.#oauth = oauth;
    this.#service = new OAuth2Service(oauth);
    this.alg = alg;
    this.kid = jwk.kid;
    return jwk.kid;
  }

  /** The discovery document's URL. */
  get discoveryUrl() {
    return `${this.url}/.well-known/openid-configuration`;
  }

  /** How many times the JWKS was fetched (optionally: since the time SINCE, in ms). */
  jwksFetches(since = 0) {
    return this.requests.filter((r) => r.method === 'GET' && r.path.split('?')[0] === '/jwks' && r.at >= since).length;
  }

  /** When the JWKS was last fetched (ms), or 0. */
  lastJwksFetch() {
    const hits = this.requests.filter((r) => r.method === 'GET' && r.path.split('?')[0] === '/jwks');
    return hits.length ? hits.at(-1).at : 0;
  }

  /**
   * The claims a token of this issuer carries: SHAPE's defaults ('github', 'gitlab', or 'none'),
   * iss, aud, iat, nbf (NOW), exp (NOW + EXPIRESIN) and a random jti, then CLAIMS (a claim
   * given as undefined is left out).
   */
  claims(claims = {}, { shape = 'github', now = nowSeconds(), expiresIn = 300 } = {}) {
    const base = shape === 'github' ? githubClaims() : shape === 'gitlab' ? gitlabClaims() : {};
    const all = {
      ...base,
      iss: this.url,
      aud: this.audience,
      iat: now,
      nbf: now,
      exp: now + expiresIn,
      jti: randomUUID(),
      ...claims,
    };
    for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
    return all;
  }

  /**
   * A real ID token, signed by oauth2-mock-server with the key KID (default: the published
   * one; a key a rotation retired still signs), its header `{typ, kid, alg}` plus HEADER.
   * Options: shape, now, expiresIn (see claims()), kid, header.
   */
  async mint(claims = {}, { kid = this.kid, header = {}, ...options } = {}) {
    const oauth = this.#byKid.get(kid);
    if (!oauth) throw new Error(`mint: this issuer never had a key ${kid}`);
    const payload = this.claims(claims, options);
    return oauth.buildToken({
      kid,
      scopesOrTransform: (h, p) => {
        for (const name of Object.keys(p)) delete p[name];
        Object.assign(p, payload);
        Object.assign(h, header);
      },
    });
  }

  /**
   * Publishes a new key of ALG in place of the published one (KEEP: beside it) and signs with
   * it from now on; the retired key still signs when named (mint's kid), but is no longer in
   * the JWKS. The new kid.
   */
  rotateKey(alg = this.alg, { keep = false } = {}) {
    return this.#useNewKeySet(alg, keep ? this.#oauth.keys.toJSON(true) : []);
  }

  /** The JWKS as served: {keys: [public JWKs]}. */
  jwks() {
    return { keys: this.#oauth.keys.toJSON() };
  }

  /** The public JWK of the key KID (default: the published one). */
  publicJwk(kid = this.kid) {
    const jwk = this.#byKid.get(kid)?.keys.toJSON().find((k) => k.kid === kid);
    if (!jwk) throw new Error(`no key ${kid}`);
    return jwk;
  }

  /** The public key KID as SPKI PEM text. */
  publicPem(kid = this.kid) {
    return createPublicKey({ key: this.publicJwk(kid), format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  }

  // The private key KID as a node KeyObject.
  #privateKey(kid) {
    const jwk = this.#byKid.get(kid)?.keys.toJSON(true).find((k) => k.kid === kid);
    if (!jwk) throw new Error(`no key ${kid}`);
    const { alg, kid: _, ...key } = jwk;
    return createPrivateKey({ key, format: 'jwk' });
  }

  // --- Forgeries: tokens an issuer's relying party must refuse ------------------------------

  /** `alg: none`: the header {alg: "none", typ, kid} (plus HEADER), the claims, no signature. */
  unsigned(claims = {}, { header = {}, ...options } = {}) {
    const h = { alg: 'none', typ: 'JWT', kid: this.kid, ...header };
    return `${b64url(h)}.${b64url(this.claims(claims, options))}.`;
  }

  /**
   * HS256 keyed with the issuer's public key: SECRET 'pem' (the SPKI PEM text, as the classic
   * key-confusion attack uses it) or 'jwk' (the public JWK's JSON text as served), with the
   * published key's kid.
   */
  hs256(claims = {}, { secret = 'pem', header = {}, ...options } = {}) {
    const key = secret === 'pem' ? this.publicPem() : JSON.stringify(this.publicJwk());
    const h = { alg: 'HS256', typ: 'JWT', kid: this.kid, ...header };
    const input = `${b64url(h)}.${b64url(this.claims(claims, options))}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  }

  /** A token signed by a key this issuer does not publish, under a kid it never had. */
  unknownKid(claims = {}, { alg = this.alg, header = {}, ...options } = {}) {
    const h = { alg, typ: 'JWT', kid: `unpublished-${hex(8)}`, ...header };
    return signJws(alg, newPrivateKey(alg), h, this.claims(claims, options));
  }

  /**
   * The claims signed with one of the issuer's own keys (KID, default the published one) under
   * another algorithm ALG that key can make (PS256 or RS384 with an RSA key, say), the header
   * naming ALG and KID.
   */
  signedAs(alg, claims = {}, { kid = this.kid, header = {}, ...options } = {}) {
    const h = { alg, typ: 'JWT', kid, ...header };
    return signJws(alg, this.#privateKey(kid), h, this.claims(claims, options));
  }

  /**
   * Makes the JWKS larger than BYTES: a copy of the published key under a kid of that many
   * characters joins it (tokens still name the published kid).
   */
  async bloatJwks(bytes = 300 * 1024) {
    const jwk = this.#oauth.keys.toJSON(true).find((k) => k.kid === this.kid);
    await this.#oauth.keys.add({ ...jwk, kid: `bloat-${'x'.repeat(bytes)}` });
  }

  /** Stops serving (open connections closed, stalled requests dropped). Safe to call twice. */
  stop() {
    for (const res of this.#held.splice(0)) res.destroy();
    if (!this.#server.listening) return Promise.resolve();
    this.#server.closeAllConnections();
    return new Promise((resolvePromise) => this.#server.close(() => resolvePromise()));
  }
}

// ---------------------------------------------------------------------------------------------
// Issuers that cannot be reached
// ---------------------------------------------------------------------------------------------

/**
 * A TCP port on 127.0.0.1 that accepts connections and never sends a byte (not even a TLS
 * handshake): {url (https://127.0.0.1:PORT), port, connections (how many were accepted),
 * stop()}.
 */
export async function startBlackhole() {
  const sockets = new Set();
  const hole = { url: '', port: 0, connections: 0 };
  const server = net.createServer((socket) => {
    hole.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume();  // read and drop whatever comes
  });
  await new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  hole.port = server.address().port;
  hole.url = `https://127.0.0.1:${hole.port}`;
  hole.stop = () => {
    for (const s of sockets) s.destroy();
    if (!server.listening) return Promise.resolve();
    return new Promise((resolvePromise) => server.close(() => resolvePromise()));
  };
  return hole;
}

/**
 * A port on 127.0.0.1 that nothing listens on (it was free a moment ago; connections to it
 * are refused): {url (https://127.0.0.1:PORT), port}.
 */
export async function closedPort() {
  const server = net.createServer();
  await new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  const { port } = server.address();
  await new Promise((resolvePromise) => server.close(() => resolvePromise()));
  return { url: `https://127.0.0.1:${port}`, port };
}

/**
 * An HTTPS server on 127.0.0.1 (certificate of CA, made in a new folder under DIR) that answers
 * every request with STATUS (302) and `Location: TO + the request's path`: an issuer whose
 * documents are elsewhere. {url, port, requests, stop()}.
 */
export async function startRedirector(dir, { ca, to, status = 302 }) {
  const folder = join(dir, `oidc-redirector-${++issuers}`);
  mkdirSync(folder, { recursive: true });
  const certificate = await issueServerCertificate(ca, folder, 'redirector');
  const redirector = { url: '', port: 0, requests: [] };
  const server = https.createServer(
    { cert: readFileSync(certificate.certFile), key: readFileSync(certificate.keyFile) },
    (req, res) => {
      redirector.requests.push({ method: req.method, path: req.url, at: Date.now() });
      res.writeHead(status, { location: `${to}${req.url}`, 'content-length': 0 }).end();
    },
  );
  await new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  redirector.port = server.address().port;
  redirector.url = `https://127.0.0.1:${redirector.port}`;
  redirector.stop = () => {
    if (!server.listening) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolvePromise) => server.close(() => resolvePromise()));
  };
  return redirector;
}

/** Starts an authority for issuers to share (one --oidc-ca-file): makeCertificateAuthority in DIR/NAME. */
export async function issuerAuthority(dir, name = 'oidc-ca') {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  return makeCertificateAuthority(folder, `OIDC test CA ${name}`);
}
