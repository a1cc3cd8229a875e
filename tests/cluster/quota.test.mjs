// The plan's quota holds across nodes: creates racing on three nodes of one database (through
// nginx and directly to each node) never take an organization past its plan's cap. Each node
// checks the quota in a SERIALIZABLE transaction, run again when another transaction (on any
// node) touched what it read.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertQuotaRefusal, createToken, useCluster } from './harness.mjs';

const cluster = useCluster({
  nodes: 3,
  setup: async (c) => {
    c.bearer = await c.node('A').signIn('owner');
  },
});

test('30 concurrent creates in a Team organization (cap 10) over nginx and three nodes: exactly 10 are created',
  async () => {
    const { endpoints, bearer } = cluster;
    const before = await cluster.node('A').tokens('race', bearer);
    assert.equal(before.length, 0, 'race starts with no tokens');

    // Spread evenly over nginx (which spreads over the nodes) and each node directly.
    const sent = Array.from({ length: 30 }, (_, i) => endpoints[i % endpoints.length]);
    const answers = await Promise.all(sent.map((endpoint, i) =>
      createToken(endpoint, 'race', bearer, { label: `race-${i}` })));
    const report = answers.map((r, i) => `${sent[i]}: ${r.status} ${r.status === 201 ? r.body.label : r.text}`).join('\n');

    const created = answers.filter((r) => r.status === 201);
    assert.equal(created.length, 10, `exactly 10 creates succeed:\n${report}`);
    for (const r of answers.filter((a) => a.status !== 201)) assertQuotaRefusal(r, 10);

    // Every node (and nginx) lists exactly the 10 that were acknowledged, and counts 10 of 10.
    const ids = created.map((r) => r.body.id).sort();
    for (const endpoint of endpoints) {
      const listed = await endpoint.tokens('race', bearer);
      assert.deepEqual(listed.map((t) => t.id).sort(), ids, `${endpoint} lists the 10 created tokens`);
      const org = await endpoint.get('/v2/orgs/race', { bearer });
      assert.equal(org.status, 200, String(org));
      assert.equal(org.body.token_count, 10, `${endpoint}: ${org}`);
      assert.equal(org.body.token_quota, 10, `${endpoint}: ${org}`);
    }
  });

test('once full, one delete on one node frees one place: of 9 racing creates exactly one succeeds', async () => {
  const { endpoints, bearer } = cluster;
  const [victim] = await cluster.node('C').tokens('race', bearer);
  const del = await cluster.node('C').delete(`/v2/orgs/race/access-tokens/${victim.id}`, { bearer });
  assert.equal(del.status, 204, String(del));

  const sent = Array.from({ length: 9 }, (_, i) => endpoints[i % endpoints.length]);
  const answers = await Promise.all(sent.map((endpoint, i) =>
    createToken(endpoint, 'race', bearer, { label: `again-${i}` })));
  const report = answers.map((r, i) => `${sent[i]}: ${r.status}`).join('\n');
  assert.equal(answers.filter((r) => r.status === 201).length, 1, `exactly one create succeeds:\n${report}`);
  for (const r of answers.filter((a) => a.status !== 201)) assertQuotaRefusal(r, 10);
  for (const endpoint of endpoints) {
    assert.equal((await endpoint.tokens('race', bearer)).length, 10, `${endpoint} lists 10 tokens`);
  }
});
