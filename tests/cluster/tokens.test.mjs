// One service, three nodes: what one node does to a token the node itself refuses on the very
// next sign-in, and every other node within a second (each keeps what sign-ins read between
// writes, and hears of other nodes' writes through PostgreSQL's LISTEN/NOTIFY); every node signs
// with the one key file; and the usage bookkeeping ("last used", pull counts), which each node
// writes in batches, adds up across nodes and never moves backwards.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { runSql } from '../lib/database.mjs';

import {
  assertDetailError, createToken, decodeJwt, epoch, freshClientAddress, registrySignIn, signedBy,
  sleep, useCluster, waitFor,
} from './harness.mjs';

const cluster = useCluster({
  nodes: 3,
  setup: async (c) => {
    c.bearer = await c.node('A').signIn('owner');
  },
});
const A = () => cluster.node('A');
const B = () => cluster.node('B');
const C = () => cluster.node('C');
const item = (id) => `/v2/orgs/acme/access-tokens/${id}`;

/** A new acme token (pull on acme/app) created at NODE; the 201 body, with its secret. */
async function newToken(node, label) {
  const r = await createToken(node, 'acme', cluster.bearer, { label });
  assert.equal(r.status, 201, String(r));
  return r.body;
}

/** The token as NODE reads it (GET one token); its body. */
async function readToken(node, id) {
  const r = await node.token('acme', id, cluster.bearer);
  assert.equal(r.status, 200, String(r));
  return r.body;
}

/** The registry refusal of bad credentials at the token service. */
function assertRefused(reply, what) {
  assert.equal(reply.status, 401, `${what}: ${reply}`);
  assert.equal(reply.body?.errors?.[0]?.code, 'UNAUTHORIZED', `${what}: ${reply}`);
}

function assertGranted(reply, what) {
  assert.equal(reply.status, 200, `${what}: ${reply}`);
  assert.deepEqual(decodeJwt(reply.body.token).payload.access,
    [{ type: 'repository', name: 'acme/app', actions: ['pull'] }], what);
}

/** Milliseconds until NODE's sign-in with SECRET answers STATUS (asked every 10 ms, up to 3 s). */
async function msUntil(node, secret, status) {
  const start = Date.now();
  await waitFor(async () => (await registrySignIn(node, 'acme', secret)).status === status,
    `${node} answering ${status}`, { timeout: 3000, interval: 10 });
  return Date.now() - start;
}

/** The other nodes see the change within a second. */
async function assertSeenWithinASecond(nodes, secret, status, what) {
  for (const node of nodes) {
    const ms = await msUntil(node, secret, status);
    assert.ok(ms <= 1000, `${what}: ${node} answered ${status} only after ${ms} ms`);
  }
}

describe('a token changed at one node: that node refuses at once, the others within a second', () => {
  let token;
  // The refusals count as failed sign-ins of acme; more than the limit's 5 would answer 429.
  afterEach(() => runSql(cluster.db, 'DELETE FROM sign_in_failures'));

  test('created at A, it signs in at B and C', async () => {
    token = await newToken(A(), 'revocation');
    // Several times at each: a node that cached the token's state would have it now.
    for (let i = 0; i < 3; ++i) {
      assertGranted(await registrySignIn(B(), 'acme', token.token), `sign-in ${i + 1} at B`);
      assertGranted(await registrySignIn(C(), 'acme', token.token), `sign-in ${i + 1} at C`);
    }
  });

  test('deactivated at A: the very next sign-in at A is refused (401), at B and C within a second', async () => {
    const off = await A().patch(item(token.id), { is_active: false }, { bearer: cluster.bearer });
    assert.equal(off.status, 200, String(off));
    assert.equal(off.body.is_active, false);
    assertRefused(await registrySignIn(A(), 'acme', token.token), 'A, right after its deactivation');
    await assertSeenWithinASecond([B(), C()], token.token, 401, 'after the deactivation at A');
    assertRefused(await registrySignIn(B(), 'acme', token.token), 'B, once it saw the deactivation');
  });

  test('reactivated at A: the very next sign-in at A is accepted, at B and C within a second', async () => {
    const on = await A().patch(item(token.id), { is_active: true }, { bearer: cluster.bearer });
    assert.equal(on.status, 200, String(on));
    assertGranted(await registrySignIn(A(), 'acme', token.token), 'A, right after the reactivation at A');
    await assertSeenWithinASecond([B(), C()], token.token, 200, 'after the reactivation at A');
    // Kept at every node again.
    for (let i = 0; i < 3; ++i) {
      for (const node of cluster.nodes) assertGranted(await registrySignIn(node, 'acme', token.token), `${node}`);
    }
  });

  test('deleted at B: the very next sign-in at B is refused, at A and C within a second; every node answers 404 for it', async () => {
    const del = await B().delete(item(token.id), { bearer: cluster.bearer });
    assert.equal(del.status, 204, String(del));
    assertRefused(await registrySignIn(B(), 'acme', token.token), 'B, right after the delete at B');
    await assertSeenWithinASecond([A(), C()], token.token, 401, 'after the delete at B');
    for (const node of cluster.nodes) {
      assertDetailError(await node.token('acme', token.id, cluster.bearer), 404);
    }
  });
});

describe('one signing key for the whole service', () => {
  test('a management bearer issued by A is accepted by B and C (and through nginx)', async () => {
    const bearer = await A().signIn('owner');
    for (const endpoint of [B(), C(), cluster.proxy, A()]) {
      const r = await endpoint.get('/v2/orgs/acme/access-tokens', { bearer });
      assert.equal(r.status, 200, `${endpoint}: ${r}`);
    }
    // And the other way round: each node's bearer works at every other node.
    for (const issuer of [B(), C()]) {
      const issued = await issuer.signIn('owner');
      for (const node of cluster.nodes) {
        const r = await node.get('/v2/orgs/acme', { bearer: issued });
        assert.equal(r.status, 200, `bearer of ${issuer} at ${node}: ${r}`);
      }
    }
  });

  test('bearers and registry tokens of every node verify with the certificate of the shared key file', async () => {
    const cert = await cluster.certificate();
    const token = await newToken(B(), 'signing');
    for (const node of cluster.nodes) {
      const grant = await registrySignIn(node, 'acme', token.token);
      assertGranted(grant, `sign-in at ${node}`);
      assert.ok(signedBy(grant.body.token, cert), `the registry token of ${node} verifies with oatd cert --key`);
      assert.ok(signedBy(await node.signIn('owner'), cert), `the bearer of ${node} verifies with oatd cert --key`);
    }
    const del = await A().delete(item(token.id), { bearer: cluster.bearer });
    assert.equal(del.status, 204, String(del));
  });
});

describe('usage bookkeeping across nodes', () => {
  test('last_used_at after sign-ins at A then B is set and never moves backwards, even when A writes last',
    async () => {
      const token = await newToken(C(), 'last-used');
      // A notes its sign-in in memory and writes it within a second. Freeze A before it does,
      // so that A's (older) time reaches the database after B's (newer) one.
      const atA = await registrySignIn(A(), 'acme', token.token);
      A().pause();
      let t2;
      try {
        assertGranted(atA, 'sign-in at A');
        const t1 = epoch(atA.body.issued_at);
        await waitFor(() => Date.now() >= (t1 + 1) * 1000, 'the next second');
        const atB = await registrySignIn(B(), 'acme', token.token);
        assertGranted(atB, 'sign-in at B');
        t2 = epoch(atB.body.issued_at);
        assert.ok(t2 > t1, `B signed in later (${t2}) than A (${t1})`);
        await waitFor(async () => epoch((await readToken(C(), token.id)).last_used_at) === t2,
          `B's sign-in (${atB.body.issued_at}) to be recorded`, { timeout: 8000, interval: 100 });
      } finally {
        A().resume();  // A now writes its older sign-in
      }

      // Read it, at every node in turn, for 3 seconds (A flushes within one of them).
      const seen = [];
      const end = Date.now() + 3000;
      for (let i = 0; Date.now() < end; ++i) {
        const t = await readToken(cluster.nodes[i % 3], token.id);
        assert.notEqual(t.last_used_at, null, 'last_used_at is set');
        seen.push(t.last_used_at);
        await sleep(100);
      }
      for (let i = 1; i < seen.length; ++i) {
        assert.ok(epoch(seen[i]) >= epoch(seen[i - 1]),
          `last_used_at moved backwards: ${seen[i - 1]} then ${seen[i]}\n(all reads: ${seen.join(' ')})`);
      }
      assert.equal(epoch(seen[seen.length - 1]), t2, `last_used_at stays B's sign-in (reads: ${seen.join(' ')})`);
      const final = await readToken(A(), token.id);
      assert.deepEqual(final.last_used_addresses, ['127.0.0.1'], 'both sign-ins came from 127.0.0.1');
    });

  test('a pull notified to B of a sign-in at A is counted for that token (pull_count 1)', async () => {
    const token = await newToken(A(), 'pulls');
    const client = freshClientAddress();  // the registry client's address, as both nodes see it
    assertGranted(await registrySignIn(A(), 'acme', token.token, { from: client }), 'sign-in at A');
    // At once: B has not seen the sign-in, and A has not written it yet (within a second).
    const t0 = Date.now();
    const notified = await B().post('/registry/events', {
      events: [pullEvent('acme/app', client)],
    }, { headers: { authorization: `Bearer ${cluster.eventsSecret}` } });
    assert.equal(notified.status, 204, String(notified));
    const waited = Date.now() - t0;
    const counted = await waitFor(async () => {
      const t = await readToken(C(), token.id);
      return t.pull_count >= 1 && t;
    }, 'the pull to be counted', { timeout: 8000, interval: 100 }).catch(() => null);
    assert.ok(counted, `pull_count still 0 (B answered after ${waited} ms)\n${cluster.logs()}`);
    await sleep(1200);  // one more flush of every node: counted once
    assert.equal((await readToken(A(), token.id)).pull_count, 1);
    assert.equal((await readToken(B(), token.id)).push_count, 0);
  });

  test('a pull is counted for the token that signed in last from that address, whichever node saw it',
    async () => {
      // Two tokens of acme used from one client address (a CI host): X signs in at B, later Y at
      // A; the registry then notifies B of a pull. Y's grant is the newer one (A wrote it to the
      // database), so the pull is Y's, as it would be had both signed in at one node.
      const x = await newToken(A(), 'earlier');
      const y = await newToken(A(), 'later');
      const client = freshClientAddress();
      assertGranted(await registrySignIn(B(), 'acme', x.token, { from: client }), 'X at B');
      await sleep(1100);
      assertGranted(await registrySignIn(A(), 'acme', y.token, { from: client }), 'Y at A');
      await sleep(2200);  // A has written Y's grant; B still remembers X's
      const notified = await B().post('/registry/events', { events: [pullEvent('acme/app', client)] },
        { headers: { authorization: `Bearer ${cluster.eventsSecret}` } });
      assert.equal(notified.status, 204, String(notified));
      const counts = async () => [(await readToken(C(), x.id)).pull_count, (await readToken(C(), y.id)).pull_count];
      await waitFor(async () => (await counts()).some((n) => n > 0), 'the pull to be counted',
        { timeout: 8000, interval: 100 }).catch(() => {});
      await sleep(1200);
      const [ofX, ofY] = await counts();
      assert.deepEqual({ X: ofX, Y: ofY }, { X: 0, Y: 1 }, 'the pull is Y\'s (the later sign-in, at A)');
    });
});

/** A registry notification (distribution's envelope) of a manifest pull of REPOSITORY by ADDRESS. */
function pullEvent(repository, address) {
  return {
    id: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    action: 'pull',
    target: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${'0'.repeat(64)}`,
      repository,
      tag: 'v1',
    },
    request: { addr: `${address}:43210`, method: 'GET', useragent: 'skopeo' },
    actor: { name: repository.split('/')[0] },
    source: { addr: 'registry:5000' },
  };
}
