// Crash durability: 100 times over ONE database, oatd serves a burst of concurrent token writes
// (creates, edits of label, description and resources, deactivations and reactivations,
// deletions) from several clients in several organizations, is killed with SIGKILL at a random
// moment of it, and is started again on the same database (under postgres once the killed
// server's sessions are gone: PostgreSQL still commits a COMMIT sent just before the kill, and
// one that landed after the restart was once taken for an event without its token). After each
// restart:
//   - every write the server acknowledged (a 2xx its client received) is there, as the last
//     acknowledged write of its token left it: a created token exists with its label, an edit's
//     label, description and resources and a (de)activation's state hold, a deleted token stays
//     gone. A write a client got no answer to (in flight at the kill) may have happened or not,
//     but wholly: its token is as before it or as after it, and a create without an answer has
//     made its whole token or none. A write answered with a refusal left no trace;
//   - nothing is half-done between the tokens and the audit log: every token that exists has
//     its access_token.create event and no delete event, every deleted one both; every create
//     event is of a token that exists or was deleted (never of an unanswered create that made
//     no token); each token's label and active state are those of its latest event;
//   - under SQLite, PRAGMA integrity_check answers ok and foreign_key_check finds nothing
//     (skipped under postgres, which has no such check).
// The figures (writes acknowledged and checked, lost, in flight at a kill and how many of those
// happened) are printed with each test's diagnostics, and their totals by the last test.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';

import {
  BACKEND, Oatd, makeDataDir, removeDataDir, rfc3339, run, sleep, testDatabase, tokenRequest,
} from './harness.mjs';
import { waitForNoSessions } from '../lib/database.mjs';
import { seed } from '../lib/world.mjs';

const ROUNDS = 10;              // tests, each under node's per-test timeout
const KILLS_PER_ROUND = 10;     // 100 kills in all
const KILL_AFTER_MS = [50, 400];
const ORGS = ['northco', 'southco', 'eastco']; // Business plan: 100 tokens each
const WRITERS = ['writer1', 'writer2'];        // owners of every organization; one client per writer and organization
const LIVE_MIN = 4;             // below this many tokens an organization's clients create
const LIVE_MAX = 16;            // above it they delete

/** The resources a token may be given, as the server answers them back. */
const RESOURCES = (org) => [
  [{ type: 'TYPE_REPO', path: `${org}/app`, scopes: ['scope-image-pull'] }],
  [{ type: 'TYPE_REPO', path: `${org}/web`, scopes: ['scope-image-pull', 'scope-image-push'] }],
  [{ type: 'TYPE_REPO', path: `${org}/*`, scopes: ['scope-image-pull'] },
    { type: 'TYPE_REPO', path: `${org}/app`, scopes: ['scope-image-pull', 'scope-image-push'] }],
];

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const tokenPath = (org, id = '') => `/v2/orgs/${org}/access-tokens${id && `/${id}`}`;

/** What the test keeps of a token: what its writes can change. */
const stateOf = (t) => ({
  label: t.label, description: t.description, is_active: t.is_active ?? true, resources: t.resources,
});
const show = (state) => (state ? JSON.stringify(state) : 'absent');

/** Figures of writes, for one round and over all of them. */
const newTally = () => ({
  kills: 0, creates: 0, edits: 0, toggles: 0, deletes: 0, refused: 0,
  inFlight: 0, inFlightHappened: 0, lost: 0,
});

/**
 * The bookkeeping of one organization. A token is written by one client at a time (`busy`):
 *   tokens    id -> {state (null once deleted), pending (the write in flight at the kill:
 *             {patch} or {remove: true}), busy}; state is what the last acknowledged write
 *             left, or, once a restart has been checked, what the server had then;
 *   creating  label -> the body of a create without an answer yet;
 *   refused   label -> the refusal of a create (that token must never appear);
 *   audit     what the audit log said so far: ids with a create event, ids with a delete event,
 *             id -> its latest event (label and active state).
 */
function newOrg(name) {
  return {
    name,
    tokens: new Map(),
    creating: new Map(),
    refused: new Map(),
    audit: { created: new Set(), deleted: new Set(), label: new Map(), active: new Map() },
  };
}

describe('crash durability: kill -9 during concurrent token writes, 100 times on one database', () => {
  let dir;
  let db;
  let server;
  let bearers;    // writer -> bearer; the signing key outlives restarts, and so do they
  let broken;     // the first failure: the bookkeeping cannot go on from it
  let current;    // the kill under way
  let seq = 0;    // labels are unique, so a token found after a kill names the write it came from
  const orgs = ORGS.map(newOrg);
  const totals = newTally();

  before(async () => {
    dir = makeDataDir('crash');
    db = await testDatabase(dir);
    await seed(db, {
      users: WRITERS,
      orgs: Object.fromEntries(ORGS.map((org) => [org, {
        plan: 'business',
        members: Object.fromEntries(WRITERS.map((w) => [w, 'owner'])),
        repos: ['app', 'web'],
      }])),
    });
    server = await Oatd.start(dir);
    bearers = await server.signInAll(WRITERS);
  });

  after(async () => {
    await server?.stop();
    await removeDataDir(dir);
  });

  /** One request; null when no answer came (the server was killed, or the answer was cut). */
  async function send(target, method, path, json, bearer) {
    try {
      return await target.request(method, path, { json, bearer });
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error; // an answer the API does not document
      return null;
    }
  }

  // -------------------------------------------------------------------------------------------
  // The load: clients writing until told to stop
  // -------------------------------------------------------------------------------------------

  async function create(target, org, bearer, tally) {
    const label = `${org.name}-${++seq}`;
    const body = tokenRequest(org.name, {
      label, description: `created as #${seq}`, resources: pick(RESOURCES(org.name)),
    });
    org.creating.set(label, body);
    const r = await send(target, 'POST', tokenPath(org.name), body, bearer);
    if (r === null) return; // its fate is read after the restart
    org.creating.delete(label);
    if (r.status !== 201) {
      org.refused.set(label, String(r));
      tally.refused += 1;
      return;
    }
    const state = stateOf(r.body);
    assert.deepEqual(state, stateOf(body), `the 201 of ${label} is the token asked for`);
    org.tokens.set(r.body.id, { state, pending: null, busy: false });
    tally.creates += 1;
  }

  /** A PATCH (an edit or a (de)activation) or a DELETE of TOKEN, acknowledged or not. */
  async function write(target, org, bearer, tally, id, token, change) {
    token.busy = true;
    token.pending = change;
    const r = change.remove
      ? await send(target, 'DELETE', tokenPath(org.name, id), undefined, bearer)
      : await send(target, 'PATCH', tokenPath(org.name, id), change.patch, bearer);
    if (r === null) return; // stays busy and pending until the restart is checked
    token.busy = false;
    token.pending = null;
    if (r.status >= 300) {
      tally.refused += 1;
      return;
    }
    token.state = applied(token.state, change);
    if (change.remove) {
      tally.deletes += 1;
    } else {
      assert.deepEqual(stateOf(r.body), token.state, `the PATCH answer of ${id} is the state it acknowledged`);
      tally[change.patch.is_active === undefined ? 'edits' : 'toggles'] += 1;
    }
  }

  /** A token's state after CHANGE. */
  function applied(state, change) {
    return change.remove ? null : { ...state, ...change.patch };
  }

  /** An edit of some of STATE's label, description and resources, each to a new value. */
  function randomEdit(org, state) {
    const n = ++seq;
    const fields = {
      label: `${org.name}-${n}`,
      description: `edited as #${n}`,
      resources: pick(RESOURCES(org.name).filter((r) => !isDeepStrictEqual(r, state.resources))),
    };
    const chosen = Object.keys(fields).filter(() => Math.random() < 0.5);
    return Object.fromEntries((chosen.length ? chosen : ['label']).map((k) => [k, fields[k]]));
  }

  /** One client: writes in ORG as BEARER until LOAD.stopped. */
  async function client(target, org, bearer, load, tally) {
    while (!load.stopped) {
      const live = [...org.tokens].filter(([, t]) => t.state !== null);
      const idle = live.filter(([, t]) => !t.busy);
      const count = live.length + org.creating.size;
      const roll = Math.random();
      if (count < LIVE_MIN || idle.length === 0 || (count <= LIVE_MAX && roll < 0.25)) {
        await create(target, org, bearer, tally);
        continue;
      }
      const [id, token] = pick(idle);
      let change;
      if (count > LIVE_MAX || roll >= 0.8) change = { remove: true };
      else if (roll < 0.6) change = { patch: randomEdit(org, token.state) };
      else change = { patch: { is_active: !token.state.is_active } };
      await write(target, org, bearer, tally, id, token, change);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The checks after a restart
  // -------------------------------------------------------------------------------------------

  /** Every audit event of ORG from FROM (ms) on, newest first. */
  async function auditSince(org, from, bearer) {
    const events = [];
    for (let page = 1; ; ++page) {
      const r = await server.get(
        `/v2/auditlogs/${org}?from=${rfc3339(from)}&page=${page}&page_size=100`, { bearer });
      assert.equal(r.status, 200, String(r));
      events.push(...r.body.logs);
      if (!r.body.next) return events;
    }
  }

  async function auditTotal(org, action, bearer) {
    const r = await server.get(`/v2/auditlogs/${org}?action=${action}&page=1&page_size=1`, { bearer });
    assert.equal(r.status, 200, String(r));
    return r.body.total;
  }

  /**
   * Checks ORG after a restart (PROBLEMS collects what is wrong), then makes what the server has
   * the bookkeeping's starting point: the writes in flight at the kill are settled either way.
   * LOADSTART: when the load began, so the audit log is read from a little before it.
   */
  async function checkOrg(org, loadStart, tally, problems) {
    const bearer = bearers[WRITERS[0]];
    const found = new Map();
    for (const item of await server.tokens(org.name, bearer)) {
      const r = await server.token(org.name, item.id, bearer);
      assert.equal(r.status, 200, `a listed token can be read: ${r}`);
      found.set(item.id, stateOf(r.body));
    }

    // Every token the bookkeeping knows: as acknowledged, or as one write in flight left it.
    for (const [id, token] of org.tokens) {
      const now = found.get(id) ?? null;
      found.delete(id);
      const expected = token.pending ? [token.state, applied(token.state, token.pending)] : [token.state];
      if (!expected.some((state) => isDeepStrictEqual(state, now))) {
        tally.lost += 1;
        problems.push(`${org.name} token ${id}: ${show(now)}, but acknowledged as ${show(token.state)}` +
          (token.pending ? ` (or ${show(expected[1])} if the write in flight at the kill happened)` : ''));
      } else if (token.pending) {
        tally.inFlight += 1;
        if (!isDeepStrictEqual(now, token.state)) tally.inFlightHappened += 1;
      }
      Object.assign(token, { state: now, pending: null, busy: false });
    }
    // Tokens it does not know can only come from creates that got no answer, whole.
    for (const [id, now] of found) {
      const body = org.creating.get(now.label);
      if (org.refused.has(now.label)) {
        problems.push(`${org.name} token ${id}: made by a create that was refused: ${org.refused.get(now.label)}`);
      } else if (!body) {
        problems.push(`${org.name} token ${id}: ${show(now)}, made by no create`);
      } else if (!isDeepStrictEqual(now, stateOf(body))) {
        problems.push(`${org.name} token ${id}: ${show(now)}, but its create in flight asked for ${show(stateOf(body))}`);
      } else {
        tally.inFlight += 1;
        tally.inFlightHappened += 1;
        org.creating.delete(now.label);
        org.tokens.set(id, { state: now, pending: null, busy: false });
      }
    }
    tally.inFlight += org.creating.size; // creates in flight that did not happen
    org.creating.clear();

    // The audit log, from a little before the load on (whole seconds; the clock is shared).
    const { audit } = org;
    const events = await auditSince(org.name, loadStart - 2000, bearer);
    for (const e of events.reverse()) { // oldest first, so the latest event of a token wins
      const id = e.data?.token_id;
      if (!id) continue;
      if (e.action === 'access_token.create') audit.created.add(id);
      if (e.action === 'access_token.delete') audit.deleted.add(id);
      audit.label.set(id, e.name);
      if (e.action === 'access_token.create' || e.action === 'access_token.activate') audit.active.set(id, true);
      if (e.action === 'access_token.deactivate') audit.active.set(id, false);
    }
    for (const [action, ids] of [['access_token.create', audit.created], ['access_token.delete', audit.deleted]]) {
      const total = await auditTotal(org.name, action, bearer);
      if (total !== ids.size) problems.push(`${org.name}: ${total} ${action} events for ${ids.size} tokens`);
    }
    for (const [id, token] of org.tokens) {
      if (!audit.created.has(id)) problems.push(`${org.name} token ${id}: no access_token.create event`);
      if (token.state === null) {
        if (!audit.deleted.has(id)) problems.push(`${org.name} token ${id}: deleted, without an access_token.delete event`);
        continue;
      }
      if (audit.deleted.has(id)) problems.push(`${org.name} token ${id}: exists, with an access_token.delete event`);
      if (audit.label.get(id) !== token.state.label || audit.active.get(id) !== token.state.is_active) {
        problems.push(`${org.name} token ${id}: ${show(token.state)}, but its latest audit events say ` +
          `label ${audit.label.get(id)}, active ${audit.active.get(id)}`);
      }
    }
    for (const id of audit.created) {
      if (!org.tokens.has(id)) problems.push(`${org.name} token ${id}: an access_token.create event, but no token`);
    }
    for (const id of audit.deleted) {
      if (!audit.created.has(id)) problems.push(`${org.name} token ${id}: an access_token.delete event, but no create event`);
    }
  }

  /** PRAGMA integrity_check and foreign_key_check on the running server's SQLite file. */
  async function checkSqliteFile(problems) {
    const r = await run(process.env.SQLITE3 ?? 'sqlite3',
      ['-readonly', db, 'PRAGMA integrity_check; PRAGMA foreign_key_check;']);
    if (r.code !== 0 || r.stdout.trim() !== 'ok') {
      problems.push(`sqlite3 ${db}: integrity_check and foreign_key_check: ${r.stdout}${r.stderr}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The rounds
  // -------------------------------------------------------------------------------------------

  /** Load, kill at a random moment, restart, check. */
  async function iteration(kill, tally) {
    current = kill;
    const load = { stopped: false };
    const loadStart = Date.now();
    const clients = Promise.allSettled(
      orgs.flatMap((org) => WRITERS.map((w) => client(server, org, bearers[w], load, tally))));
    const [low, high] = KILL_AFTER_MS;
    await sleep(low + Math.random() * (high - low));
    load.stopped = true;
    await server.kill9();
    assert.equal(server.child.signalCode, 'SIGKILL', `kill ${kill}: oatd was killed`);
    // Each client ends once its request in flight fails; an assertion in one fails the test.
    const failed = (await clients).find((c) => c.status === 'rejected');
    if (failed) throw failed.reason;
    tally.kills += 1;
    // PostgreSQL finishes what the killed server's sessions were sent: a write whose COMMIT left
    // before the kill may land after it. Only once those sessions are gone is each write in
    // flight settled (SQLite's writer died with the process).
    await waitForNoSessions(server.db);

    server = await Oatd.start(dir);
    const problems = [];
    for (const org of orgs) await checkOrg(org, loadStart, tally, problems);
    if (BACKEND === 'sqlite') await checkSqliteFile(problems);
    assert.deepEqual(problems, [], `after kill ${kill}, nothing acknowledged is lost and nothing is half-done`);
  }

  for (let round = 1; round <= ROUNDS; ++round) {
    const first = (round - 1) * KILLS_PER_ROUND + 1;
    const last = round * KILLS_PER_ROUND;
    test(`kills ${first} to ${last}: acknowledged writes survive, in-flight ones are whole or absent`, async (t) => {
      if (broken) return t.skip(`an earlier kill failed, so the bookkeeping cannot go on: ${broken}`);
      const tally = newTally();
      try {
        for (let kill = first; kill <= last; ++kill) await iteration(kill, tally);
        // A load that got nothing through (refused, or never answered) would check nothing.
        assert.ok(acknowledged(tally) >= KILLS_PER_ROUND,
          `the clients' writes were acknowledged: ${figures(tally)}`);
      } catch (error) {
        broken = `kill ${current}`;
        throw error;
      } finally {
        for (const [key, value] of Object.entries(tally)) totals[key] += value;
        t.diagnostic(`these ${tally.kills} kills: ${figures(tally)}`);
        if (round === ROUNDS) t.diagnostic(`all ${totals.kills} kills (${BACKEND}): ${figures(totals)}`);
      }
    });
  }
});

function acknowledged(t) {
  return t.creates + t.edits + t.toggles + t.deletes;
}

function figures(t) {
  return `${acknowledged(t)} acknowledged writes checked (${t.creates} creates, ${t.edits} edits, ` +
    `${t.toggles} (de)activations, ${t.deletes} deletes), ${t.lost} lost; ${t.inFlight} in flight ` +
    `at a kill, of which ${t.inFlightHappened} happened; ${t.refused} refused`;
}
