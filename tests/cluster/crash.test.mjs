// A node killed with SIGKILL amid writes: every create a node acknowledged (201) was committed
// before the answer left, so none is lost; requests the dead node never answered fail as broken
// or refused connections (directly) or as nginx's 502 (a POST already sent to it), never as a
// wrong answer; nginx sends what comes next to the living node.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { attempt, isConnectionError, isNginxError, tokenRequest, useCluster } from './harness.mjs';

const cluster = useCluster({
  nodes: 2,
  setup: async (c) => {
    c.bearer = await c.node('B').signIn('owner');
  },
});

const CREATES = 60;      // in bizco (Business, cap 100), which starts empty
const IN_FLIGHT = 6;     // at once
const KILL_AFTER = 15;   // acknowledged creates before node A is killed

test('kill -9 of node A amid concurrent creates through nginx and at both nodes: no acknowledged create is lost',
  async () => {
    const { proxy, bearer } = cluster;
    const [a, b] = cluster.nodes;
    const targets = [proxy, a, b];
    const results = [];  // {i, label, endpoint, afterKill, reply | error | wrong}
    let acknowledged = 0;
    let killed = null;   // the kill, once started
    let next = 0;
    let atA = 0;         // creates sent to A directly and not answered yet

    async function worker() {
      for (let i = next++; i < CREATES; i = next++) {
        const label = `crash-${i}`;
        const afterKill = killed !== null;
        const target = targets[i % targets.length];
        if (target === a) ++atA;
        const r = await attempt(target, 'POST', '/v2/orgs/bizco/access-tokens',
          { json: tokenRequest('bizco', { label }), bearer });
        if (target === a) --atA;
        results.push({ i, label, afterKill, ...r });
        if (r.reply?.status === 201) ++acknowledged;
        // Mid-way, while A has creates in hand.
        if (!killed && acknowledged >= KILL_AFTER && atA > 0) killed = a.kill9();
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await killed;

    const show = (r) => `#${r.i} ${r.endpoint}${r.afterKill ? ' (after the kill)' : ''}: ${
      r.reply ? `${r.reply.status} ${r.reply.text.slice(0, 160)}` : (r.wrong ?? r.error)?.message} ${
      r.error?.cause?.code ?? ''}`;
    assert.ok(killed, `A was killed (after ${KILL_AFTER} acknowledged creates)`);
    // Whether a create was cut in flight at A depends on timing (A may answer the ones in hand
    // before the signal lands); those sent to A after it are refused either way.
    const refused = results.filter((r) => r.endpoint === 'A' && r.error);
    assert.ok(refused.length > 0, `creates sent to A failed once it was killed:\n${results.map(show).join('\n')}`);
    assert.equal(a.running, false, 'A is gone');

    // Each answer is a 201, or a failure the death of A explains: a broken or refused connection,
    // or nginx's 502. Nothing else: no 4xx, no 5xx of oatd, no answer off the API's description.
    const created = results.filter((r) => r.reply?.status === 201);
    const failed = results.filter((r) => (r.error && isConnectionError(r.error)) ||
      (r.reply && r.endpoint === 'nginx' && isNginxError(r.reply) && r.reply.status === 502));
    const wrong = results.filter((r) => !created.includes(r) && !failed.includes(r));
    assert.deepEqual(wrong.map(show), [], 'no wrong answers');
    // The failures are A's: requests sent to it directly, or through nginx.
    assert.deepEqual(failed.filter((r) => r.endpoint === 'B').map(show), [], 'B never failed');
    assert.ok(created.some((r) => r.afterKill && r.endpoint === 'nginx'),
      `nginx kept creating after the kill:\n${results.map(show).join('\n')}`);
    assert.ok(created.some((r) => r.afterKill && r.endpoint === 'B'), 'B kept creating after the kill');

    // Every acknowledged create is there, listed by B, with what was answered; tokens beyond them
    // can only be creates that A committed without answering.
    const listed = await b.tokens('bizco', bearer);
    const byId = new Map(listed.map((t) => [t.id, t]));
    const lost = created.filter((r) => byId.get(r.reply.body.id)?.label !== r.label);
    assert.deepEqual(lost.map(show), [], 'every acknowledged create is listed by B');
    const answeredLabels = new Set(created.map((r) => r.label));
    const failedLabels = new Set(failed.map((r) => r.label));
    const extra = listed.filter((t) => !answeredLabels.has(t.label));
    assert.deepEqual(extra.filter((t) => !failedLabels.has(t.label)).map((t) => t.label), [],
      'tokens beyond the acknowledged ones come from requests that failed with A');
    assert.equal(new Set(listed.map((t) => t.label)).size, listed.length, 'no create was made twice');

    // A, restarted, lists the same tokens.
    await a.start(a.port);
    const relisted = await a.tokens('bizco', bearer);
    assert.deepEqual(relisted.map((t) => t.id).sort(), listed.map((t) => t.id).sort(), 'A, restarted, lists the same');
    console.log(`crash: ${created.length} acknowledged (${created.filter((r) => r.afterKill).length} after the kill), ` +
      `${failed.length} failed with A (${summary(failed)}), ` +
      `${extra.length} committed without an answer; ${listed.length} listed`);
  });

/** How the failures failed: {ECONNREFUSED: 12, ECONNRESET: 1, 502: 1, ...}, as text. */
function summary(failed) {
  const counts = {};
  for (const r of failed) {
    let why = r.reply ? `nginx ${r.reply.status}` : undefined;
    for (let e = r.error; !why && e; e = e.cause) why = e.code;
    why ??= r.error?.message;
    counts[why] = (counts[why] ?? 0) + 1;
  }
  return Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ');
}
