// PostgreSQL going away and coming back under load: while it is down every node answers at once
// with 503 and Retry-After in the API's {"detail","message"} shape (never a hang, never another
// error), /healthz says 503, and once it is back every node answers 200 again within seconds,
// without a restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  assertDetailError, assertRetryAfter, attempt, createToken, sleep, useCluster, waitFor,
} from './harness.mjs';

const cluster = useCluster({
  nodes: 2,
  setup: async (c) => {
    c.bearer = await c.node('A').signIn('owner');
  },
});

const LIST = '/v2/orgs/acme/access-tokens?page=1&page_size=10';
const MAX_MS = 8000;        // no request may take longer, outage or not
const RECOVERY_MS = 5000;   // every node answers 200 again this soon after PostgreSQL is back

test('PostgreSQL stopped (fast) and started under a steady stream of requests', async () => {
  const { pg, proxy, nodes, bearer } = cluster;
  const pids = nodes.map((n) => n.pid);
  const answers = [];  // {endpoint, path, status | error | wrong, ms, from, to}: from/to, the phases
  let phase = 'before';
  let streaming = true;

  // Clients asking in a loop, each request after the previous answer (and 30 ms): /healthz and
  // an authenticated token list, through nginx and at each node directly.
  async function client(endpoint, path, options) {
    while (streaming) {
      const from = phase;
      const a = await attempt(endpoint, 'GET', path, options);
      answers.push({ ...a, path, from, to: phase });
      await sleep(30);
    }
  }
  const clients = [];
  for (const endpoint of [proxy, ...nodes]) {
    clients.push(client(endpoint, '/healthz'), client(endpoint, LIST, { bearer }));
  }

  let recoveredMs;
  try {
    await sleep(800);
    phase = 'stopping';
    await pg.stopServer();
    phase = 'down';
    await sleep(2500);
    phase = 'starting';
    await pg.startServer();
    const back = Date.now();
    phase = 'up';
    // Every node, directly: /healthz and a read of the database both 200.
    await waitFor(async () => {
      for (const node of nodes) {
        if ((await node.get('/healthz')).status !== 200) return false;
        if ((await node.get(LIST, { bearer })).status !== 200) return false;
      }
      return true;
    }, 'every node to answer 200 again', { timeout: RECOVERY_MS, interval: 100 });
    recoveredMs = Date.now() - back;
    phase = 'recovered';
    await sleep(1000);
  } finally {
    streaming = false;
    await Promise.all(clients);
  }

  const show = (a) => `${a.endpoint} ${a.path} [${a.from}->${a.to}] ${Math.round(a.ms)} ms: ${
    a.reply ? `${a.reply.status} ${a.reply.text.slice(0, 200)}` : (a.wrong ?? a.error)?.message}`;
  const byPhase = (from, to = from) => answers.filter((a) => a.from === from && a.to === to);

  // Every request got an answer of oatd's (no connection error, no nginx error page), as the API
  // describes it, in time.
  const broken = answers.filter((a) => !a.reply);
  assert.deepEqual(broken.map(show), [], 'every request was answered, as docs/openapi.yaml says');
  const slow = answers.filter((a) => a.ms >= MAX_MS);
  assert.deepEqual(slow.map(show), [], `every request answered within ${MAX_MS} ms`);
  // 200, or 503 with Retry-After in the {detail, message} shape; nothing else.
  const unexpected = answers.filter((a) => a.reply.status !== 200 && a.reply.status !== 503);
  assert.deepEqual(unexpected.map(show), [], `only 200 or 503 answers\n${errorLines(cluster)}`);
  for (const a of answers.filter((x) => x.reply.status === 503)) {
    assertDetailError(a.reply, 503);
    assertRetryAfter(a.reply);
  }
  // The outage was seen: while PostgreSQL was down, every answer was 503, at every way in.
  const down = byPhase('down');
  assert.ok(down.length >= 12, `requests while PostgreSQL was down: ${down.length}`);
  assert.deepEqual(down.filter((a) => a.reply.status !== 503).map(show), [], 'while down, only 503s');
  for (const endpoint of ['nginx', ...nodes.map((n) => n.name)]) {
    for (const path of ['/healthz', LIST]) {
      assert.ok(down.some((a) => a.endpoint === endpoint && a.path === path),
        `${endpoint} ${path} was asked while PostgreSQL was down`);
    }
  }
  // Before and after: all 200.
  assert.deepEqual(byPhase('before').filter((a) => a.reply.status !== 200).map(show), []);
  const after = byPhase('recovered');
  assert.ok(after.length >= 12, `requests after recovery: ${after.length}`);
  assert.deepEqual(after.filter((a) => a.reply.status !== 200).map(show), [], 'once recovered, only 200s');
  assert.ok(recoveredMs <= RECOVERY_MS, `recovered in ${recoveredMs} ms`);

  // The same processes, never restarted, now write again too.
  assert.deepEqual(nodes.map((n) => n.pid), pids, 'no node was restarted');
  assert.ok(nodes.every((n) => n.running), 'every node still runs');
  for (const node of nodes) {
    const r = await createToken(node, 'acme', bearer, { label: `after-${node.name}` });
    assert.equal(r.status, 201, `a create at ${node} after the outage: ${r}`);
  }
  const viaProxy = await createToken(proxy, 'acme', bearer, { label: 'after-nginx' });
  assert.equal(viaProxy.status, 201, String(viaProxy));
  console.log(`outage: ${answers.length} requests (${down.length} while down), ` +
    `slowest ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms, recovered ${recoveredMs} ms after PostgreSQL was back`);
});

/** What the nodes' handlers threw (the 500s), each distinct error once with its count. */
function errorLines(c) {
  const lines = [];
  for (const n of c.nodes) {
    const counts = new Map();
    for (const line of n.stderr.split('\n')) {
      if (!line.includes('"msg":"a handler threw"')) continue;
      let error = line;
      try {
        error = JSON.parse(line).error;
      } catch {
        // not a whole JSON line: show it as it is
      }
      counts.set(error, (counts.get(error) ?? 0) + 1);
    }
    for (const [error, count] of counts) lines.push(`${n.name} threw ${count}x: ${error}`);
  }
  return lines.join('\n');
}
