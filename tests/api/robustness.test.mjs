// Requests outside the happy paths: unknown routes and methods, and headers a browser would
// never send. A bad request gets an answer; it never takes the server down for everyone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertDetailError, password, rawExchange, useWorld } from './harness.mjs';

// One server for the file; the Host-header test goes last, as it is the one that may end it.
const world = useWorld({ signIn: ['member'] });

describe('routing', () => {
  test('an unknown path answers 404 {detail, message}', async () => {
    assertDetailError(await world.server.get('/v2/no/such/thing'), 404);
  });

  test('a method a route does not have answers 405 with Allow', async () => {
    const r = await world.server.request('PUT', '/v2/orgs/acme/access-tokens');
    assertDetailError(r, 405);
    assert.match(r.headers.allow, /POST/);
    assert.match(r.headers.allow, /GET/);
  });
});

describe('a Host header that is not UTF-8', () => {
  test('on a paged request is answered, and the server keeps serving', async () => {
    // Any member may page through the repositories; the answer's previous/next links are built
    // from the Host header.
    const request = Buffer.concat([
      Buffer.from('GET /v2/namespaces/acme/repositories?page=2&page_size=1 HTTP/1.1\r\nHost: ex'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`ample\r\nAuthorization: Bearer ${world.bearers.member}\r\nConnection: close\r\n\r\n`),
    ]);
    const answer = await rawExchange(world.server.port, request);
    const health = await world.server.get('/healthz').catch((e) => e);
    const exit = world.server.running ? null : await world.server.exited;
    assert.equal(exit, null, `the server is still running (it ended: ${JSON.stringify(exit)})`);
    assert.match(answer, /^HTTP\/1\.1 \d{3} /, 'an HTTP answer');
    assert.equal(health.status, 200, String(health));
    const again = await world.server.post('/v2/auth/token', { identifier: 'member', secret: password('member') });
    assert.equal(again.status, 200, String(again));
  });
});
