// Webhooks, expiry warnings and usage:
//   GET/POST /v2/orgs/{org}/webhooks, GET/PATCH/DELETE .../webhooks/{id}, .../deliveries, .../test
//   GET .../access-tokens/{id}/usage, GET /v2/orgs/{org}/usage, ?expiring_within_days=N
// Deliveries go to a real HTTP receiver (tests/lib/receiver.mjs) that checks every signature,
// answers 500 when told to, and is stopped and started again; an oatd is killed with SIGKILL
// between a change and its delivery; expiry warnings are driven by oatd's test-only clock
// offset; two oatd on one database deliver each event once.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { runSql } from '../lib/database.mjs';
import { Receiver } from '../lib/receiver.mjs';
import { issueServerCertificate, makeCertificateAuthority } from '../lib/tls.mjs';
import {
  Oatd, UUID_RE, assertFieldError, makeDataDir, removeDataDir, rfc3339, seedWorld, sleep,
  testDatabase, tokenRequest, useWorld, waitFor,
} from './harness.mjs';

const world = useWorld({ signIn: ['owner', 'member', 'outsider'] });
const server = () => world.server;
const owner = () => world.bearers.owner;
const hooks = (org = 'acme') => `/v2/orgs/${org}/webhooks`;
const tokenPath = (id, org = 'acme') => `/v2/orgs/${org}/access-tokens/${id}`;
const ALL_EVENTS = [
  'access_token.created', 'access_token.updated', 'access_token.rotated', 'access_token.deactivated',
  'access_token.activated', 'access_token.deleted', 'access_token.expiring', 'access_token.expired',
  'access_token.sign_in_refused',
];

/** A receiver and a webhook of ORG (on SERVER) sending it EVENTS; both removed after CTX. */
async function hookedReceiver(ctx, { on = server(), org = 'acme', events = ALL_EVENTS, bearer = owner() } = {}) {
  const receiver = await Receiver.start();
  const r = await on.post(hooks(org), { url: receiver.url, events }, { bearer });
  assert.equal(r.status, 201, String(r));
  receiver.secret = r.body.secret;
  ctx.after(async () => {
    await on.delete(`${hooks(org)}/${r.body.id}`, { bearer }).catch(() => {});
    await receiver.stop();
  });
  return { receiver, webhook: r.body };
}

async function createToken(ctx, fields = {}, { on = server(), org = 'acme', bearer = owner() } = {}) {
  const token = await on.createToken(org, bearer, fields);
  ctx.after(() => on.delete(tokenPath(token.id, org), { bearer }).catch(() => {}));
  return token;
}

describe('managing webhooks', () => {
  test('a webhook is created with a secret shown once, listed, edited and deleted', async (ctx) => {
    const r = await server().post(hooks(), { url: 'https://hooks.example.com/oat', events: ['access_token.created'] },
      { bearer: owner() });
    assert.equal(r.status, 201, String(r));
    ctx.after(() => server().delete(`${hooks()}/${r.body.id}`, { bearer: owner() }));
    assert.match(r.body.id, UUID_RE);
    assert.match(r.body.secret, /^whsec_[A-Za-z0-9]{32}$/);
    assert.deepEqual({ ...r.body, id: 0, secret: 0, created_at: 0 }, {
      id: 0, secret: 0, created_at: 0, url: 'https://hooks.example.com/oat', events: ['access_token.created'],
      active: true, created_by: 'owner',
    });
    const one = await server().get(`${hooks()}/${r.body.id}`, { bearer: owner() });
    assert.equal(one.status, 200);
    assert.equal(one.body.secret, undefined, 'the secret is shown once');
    const list = await server().get(hooks(), { bearer: owner() });
    assert.deepEqual(list.body.results.map((w) => w.id), [r.body.id]);
    assert.equal(list.body.results[0].secret, undefined);

    const edited = await server().patch(`${hooks()}/${r.body.id}`,
      { active: false, events: ['access_token.deleted', 'access_token.expiring'] }, { bearer: owner() });
    assert.equal(edited.status, 200, String(edited));
    assert.deepEqual([edited.body.active, edited.body.events], [false, ['access_token.deleted', 'access_token.expiring']]);
    assert.equal((await server().delete(`${hooks()}/${r.body.id}`, { bearer: owner() })).status, 204);
    assert.equal((await server().get(`${hooks()}/${r.body.id}`, { bearer: owner() })).status, 404);
  });

  test('bad input is a 400 naming each field, and changes nothing', async () => {
    const before = (await server().get(hooks(), { bearer: owner() })).body.results;
    const cases = [
      [{ url: 'ftp://example.com/x', events: ['access_token.created'] }, 'url', /http:\/\/ or https:\/\//],
      [{ url: 'javascript:alert(1)', events: ['access_token.created'] }, 'url', /http:\/\/ or https:\/\//],
      [{ url: 'https://user:pw@example.com/', events: ['access_token.created'] }, 'url', /user name or password/],
      [{ url: 'https://example.com/', events: ['token.made'] }, 'events[0]', /"token\.made" is not an event/],
      [{ url: 'https://example.com/', events: [] }, 'events', /at least one event/],
      [{ url: 'https://example.com/' }, 'events', /required/],
      [{ url: 'https://example.com/', events: ['access_token.created'], secret: 'mine' }, 'secret', /not a field/],
      [{ url: 'https://example.com/', events: ['access_token.created'], active: 'yes' }, 'active', /true or false/],
    ];
    for (const [body, field, message] of cases) {
      const r = await server().post(hooks(), body, { bearer: owner() });
      assertFieldError(r, field, message);
    }
    const notJson = await server().request('POST', hooks(), { body: '{"url":', headers: { 'content-type': 'application/json' }, bearer: owner() });
    assert.equal(notJson.status, 400);
    assert.deepEqual((await server().get(hooks(), { bearer: owner() })).body.results, before);
  });

  test('only those who manage tokens may see or change webhooks', async () => {
    assert.equal((await server().get(hooks(), { bearer: world.bearers.member })).status, 403);
    assert.equal((await server().post(hooks(), { url: 'https://e.example/', events: ['access_token.created'] },
      { bearer: world.bearers.member })).status, 403);
    assert.equal((await server().get(hooks(), { bearer: world.bearers.outsider })).status, 404);
    assert.equal((await server().get(hooks())).status, 401);
    assert.equal((await server().get(hooks('globex'), { bearer: owner() })).status, 404);
  });
});

describe('deliveries', () => {
  test('every change of a token is delivered, signed, with its id and never a secret', async (ctx) => {
    const { receiver } = await hookedReceiver(ctx);
    const token = await createToken(ctx, { label: 'hooked' });
    await server().patch(tokenPath(token.id), { description: 'edited' }, { bearer: owner() });
    await server().patch(tokenPath(token.id), { is_active: false }, { bearer: owner() });
    await server().patch(tokenPath(token.id), { is_active: true }, { bearer: owner() });
    const rotated = await server().post(`${tokenPath(token.id)}/rotate`, {}, { bearer: owner() });
    assert.equal(rotated.status, 200, String(rotated));
    assert.equal((await server().delete(tokenPath(token.id), { bearer: owner() })).status, 204);
    const expected = ['access_token.created', 'access_token.updated', 'access_token.deactivated',
      'access_token.activated', 'access_token.rotated', 'access_token.deleted'];
    await receiver.waitFor((rs) => rs.length >= expected.length, 'six deliveries');
    await sleep(300);
    // Deliveries are not ordered (docs/api.md): the same six, in whatever order they came.
    assert.deepEqual(receiver.requests.map((r) => r.headers['x-oat-event']).sort(), [...expected].sort());
    for (const r of receiver.requests) {
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/hook');
      assert.ok(r.signed, `X-OAT-Signature of ${r.headers['x-oat-event']} is the body's HMAC`);
      assert.match(r.headers['x-oat-delivery'], UUID_RE);
      assert.equal(r.body.id, r.headers['x-oat-delivery']);
      assert.equal(r.body.event, r.headers['x-oat-event']);
      assert.equal(r.body.organization, 'acme');
      assert.equal(r.body.actor, 'owner');
      assert.equal(r.body.data.token_id, token.id);
      assert.equal(r.body.data.label, 'hooked');
      assert.match(r.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(!r.text.includes(token.token) && !r.text.includes(rotated.body.token), 'no secret in a delivery');
      assert.ok(!r.text.includes(receiver.secret));
    }
    assert.equal(new Set(receiver.requests.map((r) => r.headers['x-oat-delivery'])).size, expected.length);
  });

  test('only subscribed events of active webhooks are delivered', async (ctx) => {
    const { receiver } = await hookedReceiver(ctx, { events: ['access_token.deleted'] });
    const { receiver: off, webhook } = await hookedReceiver(ctx);
    await server().patch(`${hooks()}/${webhook.id}`, { active: false }, { bearer: owner() });
    const token = await createToken(ctx);
    await server().delete(tokenPath(token.id), { bearer: owner() });
    await receiver.waitFor((rs) => rs.length >= 1, 'the deletion');
    await sleep(1200);  // two rounds of the worker: nothing else comes
    assert.deepEqual(receiver.requests.map((r) => r.headers['x-oat-event']), ['access_token.deleted']);
    assert.deepEqual(off.requests, []);
  });

  test('a receiver answering 500 gets the same delivery again, with backoff, until it answers 2xx; the log says how it went', async (ctx) => {
    const { receiver, webhook } = await hookedReceiver(ctx, { events: ['access_token.created'] });
    receiver.failNext(3);
    await createToken(ctx);
    await receiver.waitFor((rs) => rs.some((r) => r.status < 300), 'a delivery after three 500s', 20_000);
    assert.deepEqual(receiver.requests.map((r) => r.status), [500, 500, 500, 204]);
    assert.equal(new Set(receiver.requests.map((r) => r.headers['x-oat-delivery'])).size, 1, 'one delivery, retried');
    assert.ok(receiver.requests.every((r) => r.signed));
    // The worker writes the outcome just after the receiver answered.
    let log;
    await waitFor(async () => {
      log = await server().get(`${hooks()}/${webhook.id}/deliveries`, { bearer: owner() });
      return log.status === 200 && log.body.results[0]?.status !== 'pending';
    }, 'the delivery recorded as delivered');
    const [d] = log.body.results;
    assert.deepEqual([d.event, d.status, d.attempts, d.last_status, d.next_attempt_at],
      ['access_token.created', 'delivered', 4, 204, null]);
    assert.equal(d.id, receiver.requests[0].headers['x-oat-delivery']);
    assert.ok(d.delivered_at && d.last_attempt_at);
  });

  test('a receiver that is down gets everything once it is back; the log shows why it waited', async (ctx) => {
    const { receiver, webhook } = await hookedReceiver(ctx, { events: ['access_token.created', 'access_token.deleted'] });
    await receiver.stop();
    const token = await createToken(ctx);
    await server().delete(tokenPath(token.id), { bearer: owner() });
    await waitFor(async () => {
      const log = await server().get(`${hooks()}/${webhook.id}/deliveries`, { bearer: owner() });
      return log.body.results.length === 2 && log.body.results.every((d) => d.attempts >= 1);
    }, 'both attempted while the receiver is down');
    const log = await server().get(`${hooks()}/${webhook.id}/deliveries`, { bearer: owner() });
    for (const d of log.body.results) {
      assert.equal(d.status, 'pending');
      assert.equal(d.last_status, null);
      assert.match(d.last_error, /cannot connect/);
      assert.ok(d.next_attempt_at);
    }
    await receiver.listen();
    await receiver.waitFor((rs) => rs.length >= 2, 'both, once the receiver is back', 20_000);
    assert.deepEqual(receiver.requests.map((r) => r.headers['x-oat-event']).sort(),
      ['access_token.created', 'access_token.deleted']);
  });

  test('a test event is delivered to the one webhook, as "ping"', async (ctx) => {
    const { receiver, webhook } = await hookedReceiver(ctx, { events: ['access_token.deleted'] });
    const r = await server().post(`${hooks()}/${webhook.id}/test`, undefined, { bearer: owner() });
    assert.equal(r.status, 202, String(r));
    assert.equal(r.body.event, 'ping');
    assert.equal(r.body.status, 'pending');
    await receiver.waitFor((rs) => rs.length >= 1, 'the ping');
    assert.equal(receiver.requests[0].headers['x-oat-event'], 'ping');
    assert.equal(receiver.requests[0].body.data.webhook_id, webhook.id);
    assert.ok(receiver.requests[0].signed);
    assert.equal((await server().post(`${hooks()}/00000000-0000-4000-8000-000000000000/test`, undefined,
      { bearer: owner() })).status, 404);
  });

  test('a refused sign-in of a deactivated token is told once an hour at most; a wrong secret is not told', async (ctx) => {
    const { receiver } = await hookedReceiver(ctx, { events: ['access_token.sign_in_refused'] });
    const token = await createToken(ctx, { label: 'refused' });
    await server().patch(tokenPath(token.id), { is_active: false }, { bearer: owner() });
    ctx.after(() => runSql(world.db, 'DELETE FROM sign_in_failures'));
    for (let i = 0; i < 2; ++i) {
      const r = await server().tokenService({ user: 'acme', secret: token.token, scopes: ['repository:acme/app:pull'] });
      assert.equal(r.status, 401);
    }
    await server().tokenService({ user: 'acme', secret: `dckr_oat_${'A'.repeat(32)}`, scopes: [] });
    await receiver.waitFor((rs) => rs.length >= 1, 'the refusal');
    await sleep(1200);
    assert.equal(receiver.requests.length, 1);
    const { body } = receiver.requests[0];
    assert.deepEqual([body.event, body.data.token_id, body.data.label, body.data.reason],
      ['access_token.sign_in_refused', token.id, 'refused', 'This access token is deactivated.']);
  });

  test('/metrics counts deliveries, the queue and sign-ins', async (ctx) => {
    const { receiver } = await hookedReceiver(ctx, { events: ['access_token.created'] });
    const token = await createToken(ctx);
    await receiver.waitFor((rs) => rs.length >= 1, 'a delivery');
    const granted = await server().tokenService({ user: 'acme', secret: token.token, scopes: ['repository:acme/app:pull'] });
    assert.equal(granted.status, 200);
    // The worker counts the delivery once it has the receiver's answer, just after.
    let metrics;
    await waitFor(async () => {
      metrics = (await server().get('/metrics')).text;
      return /^oatd_webhook_deliveries_total\{result="delivered"\} [1-9]\d*$/m.test(metrics);
    }, 'the delivery counted');
    assert.match(metrics, /^oatd_webhook_queue_depth \d+$/m);
    assert.match(metrics, /^oatd_token_sign_ins_total\{result="granted",route="\/token"\} [1-9]\d*$/m);
  });
});

describe('usage and the expiring filter', () => {
  test("a token's sign-ins are in today's entry of its series and the organization's", async (ctx) => {
    const token = await createToken(ctx);
    for (let i = 0; i < 3; ++i) {
      const r = await server().tokenService({ user: 'acme', secret: token.token, scopes: ['repository:acme/app:pull'] });
      assert.equal(r.status, 200);
    }
    const today = new Date().toISOString().slice(0, 10);
    let series;
    await waitFor(async () => {
      series = await server().get(`${tokenPath(token.id)}/usage?days=7`, { bearer: owner() });
      return series.status === 200 && series.body.days.at(-1).sign_ins === 3;
    }, 'the sign-ins in the series (written within a second)');
    assert.equal(series.body.days.length, 7);
    assert.deepEqual(series.body.days.at(-1), { date: today, pulls: 0, pushes: 0, sign_ins: 3 });
    assert.ok(series.body.days.slice(0, 6).every((d) => d.sign_ins === 0 && d.date < today));
    const org = await server().get('/v2/orgs/acme/usage', { bearer: owner() });
    assert.equal(org.status, 200);
    assert.equal(org.body.days.length, 30);
    assert.ok(org.body.days.at(-1).sign_ins >= 3);
    assertFieldError(await server().get(`${tokenPath(token.id)}/usage?days=91`, { bearer: owner() }), 'days', /1 to 90/);
    assertFieldError(await server().get('/v2/orgs/acme/usage?days=0', { bearer: owner() }), 'days', /1 to 90/);
    assert.equal((await server().get(`${tokenPath('00000000-0000-4000-8000-000000000000')}/usage`,
      { bearer: owner() })).status, 404);
  });

  test('expiring_within_days lists the active tokens that expire that soon, soonest first', async (ctx) => {
    const day = 86_400_000;
    const soon = await createToken(ctx, { label: 'soon', expires_at: rfc3339(Date.now() + 5 * day) });
    const sooner = await createToken(ctx, { label: 'sooner', expires_at: rfc3339(Date.now() + 2 * day) });
    const inactive = await createToken(ctx, { label: 'inactive', expires_at: rfc3339(Date.now() + 3 * day) });
    await server().patch(tokenPath(inactive.id), { is_active: false }, { bearer: owner() });
    await createToken(ctx, { label: 'later', expires_at: rfc3339(Date.now() + 40 * day) });
    await createToken(ctx, { label: 'never' });
    const r = await server().get('/v2/orgs/acme/access-tokens?expiring_within_days=7', { bearer: owner() });
    assert.equal(r.status, 200, String(r));
    assert.deepEqual(r.body.results.map((t) => t.id), [sooner.id, soon.id]);
    assert.equal(r.body.total, 2);
    const paged = await server().get('/v2/orgs/acme/access-tokens?expiring_within_days=7&page_size=1', { bearer: owner() });
    assert.match(paged.body.next, /\?expiring_within_days=7&page=2&page_size=1$/);
    assertFieldError(await server().get('/v2/orgs/acme/access-tokens?expiring_within_days=0', { bearer: owner() }),
      'expiring_within_days', /1 to 366/);
  });
});

describe('deliveries across restarts, crashes, time and nodes', () => {
  let dir;
  let db;
  let bearer;
  const servers = [];
  const start = async (args = []) => {
    const s = await Oatd.start(dir, { args });
    servers.push(s);
    return s;
  };

  before(async () => {
    dir = makeDataDir('webhooks');
    db = await testDatabase(dir);
    await seedWorld(db);
  });

  after(async () => {
    for (const s of servers) await s.stop();
    await removeDataDir(dir);
  });

  test('an oatd killed with SIGKILL after the change and before the delivery delivers it after the restart', async (ctx) => {
    const first = await start();
    bearer = await first.signIn('owner');
    const { receiver, webhook } = await hookedReceiver(ctx, { on: first, events: ['access_token.created'], bearer });
    await receiver.stop();
    const token = await first.createToken('acme', bearer, { label: 'before the crash' });
    await waitFor(async () => {
      const log = await first.get(`${hooks()}/${webhook.id}/deliveries`, { bearer });
      return log.body.results[0]?.attempts >= 1;
    }, 'an attempt while the receiver is down');
    await first.kill9();
    await receiver.listen();
    const second = await start();
    await receiver.waitFor((rs) => rs.length >= 1, 'the delivery after the restart', 20_000);
    assert.equal(receiver.requests[0].body.data.token_id, token.id);
    assert.ok(receiver.requests[0].signed);
    bearer = await second.signIn('owner');
    await second.delete(tokenPath(token.id), { bearer });
    await second.stop();
  });

  test('expiry warnings at 7 and 1 days and the expiry itself, once each, on a clock the test moves', async (ctx) => {
    const day = 86_400;
    let node = await start();
    bearer = await node.signIn('owner');
    const expiresAt = Math.floor(Date.now() / 1000) + 10 * day;
    // The webhook before the token: a look at the expiries between the token and the webhook
    // would warn no one, and the webhook would never hear of it.
    const events = ['access_token.expiring', 'access_token.expired'];
    const { receiver, webhook } = await hookedReceiver(ctx, { on: node, bearer, events });
    const token = await node.createToken('acme', bearer, { label: 'expiring', expires_at: rfc3339(expiresAt * 1000) });
    // A change to a webhook has the node look at the expiries at once (else within 30 s).
    const nudged = await node.patch(`${hooks()}/${webhook.id}`, { events }, { bearer });
    assert.equal(nudged.status, 200, String(nudged));
    // 10 days left: the first look warns at 30 days, and only that (the warnings are at 60,
    // 30, 7 and 1 days; 60 was crossed too, and is not told separately).
    await receiver.waitFor((rs) => rs.length >= 1, 'the first warning');
    await sleep(1200);
    assert.equal(receiver.requests.length, 1, 'the first look warns at 30 days (10 left), and only that');
    assert.equal(receiver.requests[0].body.data.days_left, 30);
    await node.stop();

    const at = async (secondsBeforeExpiry, count) => {
      const offset = expiresAt - secondsBeforeExpiry - Math.floor(Date.now() / 1000);
      node = await start(['--test-only-clock-offset', String(offset)]);
      await receiver.waitFor((rs) => rs.length >= count, `${count} deliveries`);
      await sleep(1200);  // and no more
      assert.equal(receiver.requests.length, count);
      await node.stop();
    };
    await at(7 * day - 60, 2);
    await at(7 * day - 120, 2);  // looked again: told already
    await at(day - 60, 3);
    await at(-60, 4);
    assert.deepEqual(receiver.requests.map((r) => [r.body.event, r.body.data.days_left]), [
      ['access_token.expiring', 30], ['access_token.expiring', 7], ['access_token.expiring', 1],
      ['access_token.expired', undefined],
    ]);
    for (const r of receiver.requests) {
      assert.equal(r.body.data.token_id, token.id);
      assert.equal(r.body.data.expires_at, rfc3339(expiresAt * 1000));
      assert.equal(r.body.actor, 'oatd');
      assert.ok(r.signed);
    }
    node = await start();
    bearer = await node.signIn('owner');
    await node.delete(tokenPath(token.id), { bearer });
  });

  test('https receivers: their certificates are verified (an authority the system trusts passes, another fails and is told)', async (ctx) => {
    for (const s of servers) if (s.running) await s.stop();
    const ca = await makeCertificateAuthority(dir);
    const stranger = await makeCertificateAuthority(mkdtempSync(join(dir, 'stranger-')), 'Stranger');
    const trusted = await issueServerCertificate(ca, dir, 'receiver');
    const untrusted = await issueServerCertificate(stranger, dir, 'untrusted');
    // OpenSSL's default trust store is the file SSL_CERT_FILE names: the test's authority only.
    const saved = process.env.SSL_CERT_FILE;
    process.env.SSL_CERT_FILE = ca.certFile;
    let node;
    try {
      node = await start();
    } finally {
      if (saved === undefined) delete process.env.SSL_CERT_FILE; else process.env.SSL_CERT_FILE = saved;
    }
    bearer = await node.signIn('owner');
    const good = await Receiver.start(0, { tls: trusted });
    const bad = await Receiver.start(0, { tls: untrusted });
    ctx.after(async () => { await good.stop(); await bad.stop(); });
    const hook = async (receiver) => {
      const r = await node.post(hooks(), { url: receiver.url, events: ['access_token.created'] }, { bearer });
      assert.equal(r.status, 201, String(r));
      receiver.secret = r.body.secret;
      ctx.after(() => node.delete(`${hooks()}/${r.body.id}`, { bearer }).catch(() => {}));
      return r.body;
    };
    await hook(good);
    const badHook = await hook(bad);
    const token = await node.createToken('acme', bearer, { label: 'over https' });
    await good.waitFor((rs) => rs.length >= 1, 'the delivery over https');
    assert.ok(good.requests[0].signed);
    assert.equal(good.requests[0].body.data.token_id, token.id);
    await waitFor(async () => {
      const log = await node.get(`${hooks()}/${badHook.id}/deliveries`, { bearer });
      return log.body.results[0]?.attempts >= 1;
    }, 'an attempt at the untrusted receiver');
    const [d] = (await node.get(`${hooks()}/${badHook.id}/deliveries`, { bearer })).body.results;
    assert.equal(d.status, 'pending');
    assert.match(d.last_error, /TLS handshake failed: .*certificate verify failed/);
    assert.deepEqual(bad.requests, [], 'nothing reached a receiver whose certificate is not trusted');
    await node.delete(tokenPath(token.id), { bearer });
  });

  test('two oatd on one database deliver each event once', async (ctx) => {
    const a = servers.at(-1)?.running ? servers.at(-1) : await start();
    const b = await start();
    bearer = await a.signIn('owner');
    const { receiver } = await hookedReceiver(ctx, { on: a, bearer, events: ['access_token.created'] });
    const tokens = [];
    for (let i = 0; i < 8; ++i) tokens.push(await (i % 2 ? a : b).createToken('acme', bearer, { label: `two-${i}` }));
    await receiver.waitFor((rs) => rs.length >= 8, 'eight deliveries');
    await sleep(1500);
    assert.equal(receiver.requests.length, 8);
    assert.deepEqual(receiver.requests.map((r) => r.body.data.token_id).sort(), tokens.map((t) => t.id).sort());
    for (const t of tokens) await a.delete(tokenPath(t.id), { bearer });
  });
});
