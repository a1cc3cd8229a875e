// A disk that fills up while oatd is writing: the database lives on a small tmpfs of its own,
// nearly full, and four clients write to it at once (creates with long descriptions, edits)
// until writes are refused. Then:
//   - every refusal is a 503 in the API's shape with Retry-After, never a 500 or a dropped
//     connection;
//   - every write that was acknowledged (201, 200) is there with what it said, with its audit
//     event, and nothing refused left a trace (a token without its create event, an event
//     without its token);
//   - PRAGMA integrity_check answers ok while the disk is full, after space returns, and after
//     a kill -9 and restart;
//   - once space returns (the tmpfs grown by a remount) the same server writes again, without a
//     restart.
// SQLite only: the disk is the database file's. Needs mount(2), which root has on this
// project's machines; elsewhere the test says why it cannot run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Oatd, SQLITE_ONLY, assertDetailError, run, smallDisk, tokenRequest } from './harness.mjs';

const ORG = 'bizco';              // Business plan: room for 100 tokens
const CLIENTS = 4;
const LEFT_FREE = 512 * 1024;     // what the filler leaves of the tmpfs: a few dozen writes
const REFUSALS_TO_SEE = 12;       // the burst goes on past the first refusals

describe('a disk that fills up during writes', { skip: SQLITE_ONLY }, () => {
  let disk;
  let server;
  let bearer;
  const db = () => disk.db;

  before(async () => {
    disk = await smallDisk('2m');
    if (!disk.mounted) return;
    server = await Oatd.start(disk.dir);
    bearer = await server.signIn('owner');
    disk.fill(LEFT_FREE);  // the writes below use up what is left
  });

  after(async () => {
    await server?.stop();
    disk?.remove();
  });

  // What the clients were told: token id -> its acknowledged state; and every refusal.
  const acknowledged = new Map();
  const refusals = [];
  const unknown = [];   // writes without an answer (must not happen: a full disk is not a crash)

  async function integrity() {
    const r = await run('sqlite3', ['-readonly', db(), 'PRAGMA integrity_check; PRAGMA foreign_key_check;']);
    assert.equal(`${r.stdout}${r.stderr}`.trim(), 'ok', 'integrity_check and foreign_key_check');
  }

  /** Every acknowledged token is there as acknowledged, with its create event; nothing else is. */
  async function checkAcknowledged(what) {
    const tokens = await server.tokens(ORG, bearer);
    const byId = new Map(tokens.map((t) => [t.id, t]));
    for (const [id, state] of acknowledged) {
      const t = byId.get(id);
      assert.ok(t, `${what}: token ${id} (${state.label}) was acknowledged but is gone`);
      assert.equal(t.label, state.label, `${what}: the label of ${id}`);
      assert.equal(t.description, state.description, `${what}: the description of ${id}`);
    }
    assert.deepEqual([...byId.keys()].filter((id) => !acknowledged.has(id)), [],
      `${what}: tokens that no client was told about`);
    const created = new Set();
    for (let page = 1; ; ++page) {
      const r = await server.get(`/v2/auditlogs/${ORG}?action=access_token.create&page=${page}&page_size=100`, { bearer });
      assert.equal(r.status, 200, String(r));
      for (const e of r.body.logs) created.add(e.data?.token_id);
      if (!r.body.next) break;
    }
    assert.deepEqual([...created].sort(), [...acknowledged.keys()].sort(),
      `${what}: the access_token.create events are those of the acknowledged tokens`);
  }

  async function client(n) {
    for (let i = 0; refusals.length < REFUSALS_TO_SEE && acknowledged.size < 90; ++i) {
      const description = `client ${n} write ${i} `.padEnd(200, 'x');
      const mine = [...acknowledged].filter(([, s]) => s.client === n);
      let r;
      try {
        if (i % 3 === 2 && mine.length > 0) {
          const [id, state] = mine[i % mine.length];
          r = await server.patch(`/v2/orgs/${ORG}/access-tokens/${id}`, { description }, { bearer });
          if (r.status === 200) acknowledged.set(id, { ...state, description });
        } else {
          const label = `c${n}-${i}`;
          r = await server.post(`/v2/orgs/${ORG}/access-tokens`, tokenRequest(ORG, { label, description }), { bearer });
          if (r.status === 201) acknowledged.set(r.body.id, { client: n, label, description });
        }
      } catch (e) {
        unknown.push(e.message);
        continue;
      }
      if (r.status >= 300) refusals.push(r);
    }
  }

  test('writes are refused with 503 once the disk is full, and what was acknowledged holds', async (t) => {
    if (!disk.mounted) return t.skip('mount -t tmpfs is not permitted here');
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    t.diagnostic(`${acknowledged.size} tokens acknowledged, ${refusals.length} writes refused`);
    assert.deepEqual(unknown, [], 'every write got an answer');
    assert.ok(acknowledged.size > 0, 'some writes landed before the disk was full');
    assert.ok(refusals.length >= REFUSALS_TO_SEE, 'the disk filled up during the burst');
    for (const r of refusals) {
      const detail = assertDetailError(r, 503);
      assert.match(detail, /storage is full/i, String(r));
      assert.match(r.headers['retry-after'] ?? '', /^\d+$/, String(r));
    }
    await checkAcknowledged('on the full disk');
    await integrity();
  });

  test('once space returns, the same server writes again, and nothing was lost', async (t) => {
    if (!disk.mounted) return t.skip('mount -t tmpfs is not permitted here');
    disk.grow('16m');
    const label = 'after space returned';
    const r = await server.post(`/v2/orgs/${ORG}/access-tokens`, tokenRequest(ORG, { label }), { bearer });
    assert.equal(r.status, 201, String(r));
    acknowledged.set(r.body.id, { label, description: tokenRequest(ORG).description });
    await checkAcknowledged('after space returned');
    await integrity();
  });

  test('after a kill -9 and a restart, everything acknowledged is still there', async (t) => {
    if (!disk.mounted) return t.skip('mount -t tmpfs is not permitted here');
    await server.kill9();
    server = await Oatd.start(disk.dir);
    bearer = await server.signIn('owner');
    await integrity();
    await checkAcknowledged('after a restart');
  });
});
