// The sign-in rate limits are the cluster's, not a node's: failures are counted in the database,
// so 5 failures for an identifier (or 20 from an address) within 300 s lock it at every node, and
// a restart of every node forgets none of them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  assertDetailError, assertRetryAfter, freshClientAddress, password, useCluster,
} from './harness.mjs';

const cluster = useCluster({ nodes: 2 });

/** POST /v2/auth/token at NODE directly, from FROM (default: an address of its own). */
const signIn = (node, identifier, secret, from = freshClientAddress()) =>
  node.post('/v2/auth/token', { identifier, secret }, { from });

describe('an identifier failing at two nodes in turn', () => {
  test('5 failures alternately at A and B: the 6th attempt (at B) answers 429 with Retry-After, and so does A',
    async () => {
      const [a, b] = cluster.nodes;
      for (let i = 1; i <= 5; ++i) {
        const node = i % 2 ? a : b;
        assertDetailError(await signIn(node, 'victim', `wrong-password-${i}`), 401);
      }
      // Three failures reached A and two reached B: neither node alone saw five.
      const sixth = await signIn(b, 'victim', 'wrong-password-6');
      assertDetailError(sixth, 429);
      assertRetryAfter(sixth);
      // Even the right password, at either node, from an address never used.
      for (const node of [a, b]) {
        const r = await signIn(node, 'victim', password('victim'));
        assertDetailError(r, 429);
        assertRetryAfter(r);
      }
    });

  test('after both nodes restart, the identifier is still locked at each of them', async () => {
    const pids = cluster.nodes.map((n) => n.pid);
    await Promise.all(cluster.nodes.map((n) => n.restart()));
    assert.notDeepEqual(cluster.nodes.map((n) => n.pid), pids, 'new processes');
    for (const node of cluster.nodes) {
      const r = await signIn(node, 'victim', password('victim'));
      assertDetailError(r, 429);
      assertRetryAfter(r);
    }
    // And nginx, in front of the restarted nodes, says the same.
    const viaProxy = await cluster.proxy.post('/v2/auth/token', { identifier: 'victim', secret: password('victim') });
    assertDetailError(viaProxy, 429);
    // Another identifier is not locked.
    const owner = await signIn(cluster.nodes[0], 'owner', password('owner'));
    assert.equal(owner.status, 200, String(owner));
  });
});

test('20 failures from one address, alternately at A and B: the address is locked at both', async () => {
  const [a, b] = cluster.nodes;
  const address = freshClientAddress();
  for (let i = 1; i <= 20; ++i) {
    assertDetailError(await signIn(i % 2 ? a : b, `ghost${i}`, 'wrong-password', address), 401);
  }
  for (const node of [a, b]) {
    const r = await signIn(node, 'owner', password('owner'), address);
    assertDetailError(r, 429);
    assertRetryAfter(r);
  }
  // The owner from any other address is fine.
  const elsewhere = await signIn(b, 'owner', password('owner'));
  assert.equal(elsewhere.status, 200, String(elsewhere));
});
