// A real HTTP receiver of webhook deliveries, for tests: a node:http server on 127.0.0.1 that
// keeps every request it gets (headers, raw body, parsed body, whether its X-OAT-Signature is
// the HMAC-SHA256 of the body with the secret it was told), and answers 204, or 500 for as many
// requests as it was told to fail. It can be stopped and started again on the same port, as a
// receiver that goes down and comes back.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

import { WAIT_MS, waitFor } from './time.mjs';

export class Receiver {
  /** Starts one on a free port (or PORT); over HTTPS with TLS = {certFile, keyFile}. */
  static async start(port = 0, { tls } = {}) {
    const receiver = new Receiver();
    receiver.tls = tls;
    await receiver.listen(port);
    return receiver;
  }

  tls = null;      // {certFile, keyFile}: HTTPS

  requests = [];   // {headers, text, body, signed, status} in the order they came
  secret = null;   // the webhook's secret, once the test knows it
  #failures = 0;   // requests still to answer 500
  #server = null;
  port = 0;

  get url() { return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/hook`; }

  /** The next N requests are answered 500. */
  failNext(n) { this.#failures = n; }

  listen(port = this.port) {
    const handle = (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let body = null;
        try { body = JSON.parse(raw.toString('utf8')); } catch { /* kept as text */ }
        const status = this.#failures > 0 ? 500 : 204;
        if (this.#failures > 0) this.#failures -= 1;
        this.requests.push({
          method: req.method, path: req.url, headers: req.headers, text: raw.toString('utf8'), body,
          signed: this.#verify(raw, req.headers['x-oat-signature']), status,
        });
        res.writeHead(status).end();
      });
    };
    this.#server = this.tls
      ? https.createServer({ cert: readFileSync(this.tls.certFile), key: readFileSync(this.tls.keyFile) }, handle)
      : http.createServer(handle);
    return new Promise((resolvePromise, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.port = this.#server.address().port;
        resolvePromise();
      });
    });
  }

  #verify(raw, header) {
    if (!this.secret || typeof header !== 'string' || !header.startsWith('sha256=')) return false;
    const expected = Buffer.from(createHmac('sha256', this.secret).update(raw).digest('hex'));
    const got = Buffer.from(header.slice('sha256='.length));
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  /** Stops listening (closing open connections); listen() again on the same port later. */
  stop() {
    if (!this.#server) return Promise.resolve();
    const server = this.#server;
    this.#server = null;
    server.closeAllConnections();
    return new Promise((resolvePromise) => server.close(() => resolvePromise()));
  }

  /** Requests answered 2xx for EVENT (all when none given). */
  delivered(event) {
    return this.requests.filter((r) => r.status < 300 && (!event || r.headers['x-oat-event'] === event));
  }

  /** Waits until PREDICATE(requests) holds (at most TIMEOUT ms). */
  async waitFor(predicate, what, timeout = WAIT_MS) {
    await waitFor(() => predicate(this.requests), what, { timeout, interval: 50 });
  }
}
