// What a hostile client, a careless operator and a full disk meet:
//   - a request body whose length cannot be known (a Transfer-Encoding that does not end in
//     chunked, or one not implemented; a Content-Length sent twice, even with one value; a
//     Content-Length with a Transfer-Encoding; a malformed chunked body) is refused with 400 in
//     the API's shape and the connection closed, so nothing sent after it is answered as a
//     request of its own (request smuggling);
//   - a body over 64 KiB is 413, however it is sent, and a chunk's size line that never ends is
//     refused instead of being buffered for as long as it comes;
//   - idle and half-sent requests cost no thread: with them held open, others are answered;
//   - past --max-connections (or what the open-file limit leaves) a new connection gets a 503
//     in the API's shape with Retry-After and is closed, and is served again once connections
//     close; running out of descriptors anyway (the limit lowered under a running oatd) is
//     survived, and max-connections is a key of the configuration file;
//   - a present but unreadable Authorization header on the registry's /token is a 401, never an
//     anonymous token (which `docker login` reports as success);
//   - a documented field of the wrong JSON type is a 400 naming it;
//   - an over-long request target is 414, over-long headers 431;
//   - a full disk answers 503 with Retry-After, keeps nothing half-done, and writes work again
//     when space returns;
//   - a database oatd cannot keep is named, with the cause, at start.
// The last two are about SQLite's database file and its folder, and skip under postgres.
import assert from 'node:assert/strict';
import {
  chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  OATD, Oatd, SQLITE_ONLY, assertDetailError, assertFieldError, freshClientAddress, password,
  rawExchange, run, seedWorld, signingKeyFile, sleep, smallDisk, tokenRequest, useWorld, waitFor,
} from './harness.mjs';
import { listeningPort } from '../lib/oatd.mjs';
import { start, stop } from '../lib/processes.mjs';

const world = useWorld({ signIn: ['owner'] });
const server = () => world.server;

/**
 * The HTTP answers in TEXT (what rawExchange got), in order, each read by its Content-Length:
 * [{status, headers (lower-case names), body}]. Bytes after the last that are not an answer
 * fail the test, so an answer glued to the end of another is counted too.
 */
function answersIn(text) {
  const answers = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    assert.ok(rest.startsWith('HTTP/1.1 ') && end > 0, `not an HTTP answer: ${JSON.stringify(rest.slice(0, 300))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }));
    const length = Number(headers['content-length'] ?? 0);
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

/**
 * TEXT holds one answer, STATUS in the API's error shape with Connection: close, and nothing
 * after it (the request sent after the refused one was never answered); its sentence.
 */
function refusedAlone(text, status) {
  const answers = answersIn(text);
  assert.deepEqual(answers.map((a) => a.status), [status], text.slice(0, 600));
  assert.equal(answers[0].headers.connection, 'close');
  const body = JSON.parse(answers[0].body);
  assert.equal(typeof body.detail, 'string');
  assert.equal(body.message, body.detail);
  return body.detail;
}

// A request the server answers at once, sent after the one under test on the same connection:
// answered only if the server read the first one's body to where the client meant it to end.
const TRAILING = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

describe('request smuggling through Transfer-Encoding', () => {
  // The reproduction: the body of a refused request is never a request of its own.
  const smuggle = (transferEncoding) =>
    'POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\n' + transferEncoding + '\r\n' + TRAILING;

  for (const [te, status] of [
    ['Transfer-Encoding: xchunked\r\n', 400],
    ['Transfer-Encoding: chunked, identity\r\n', 400],
    ['Transfer-Encoding: gzip, chunked\r\n', 501],
    ['Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', 400],
  ]) {
    test(`${te.trim().replace(/\r\n/g, ' + ')} answers ${status}, closes, and the request after it is never answered`, async () => {
      refusedAlone(await rawExchange(server().port, smuggle(te)), status);
    });
  }

  test('a chunked body still reaches the API', async () => {
    const json = JSON.stringify({ identifier: 'owner', secret: password('owner') });
    const chunked = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
    const answer = await rawExchange(server().port,
      'POST /v2/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`);
    assert.match(answer, /^HTTP\/1\.1 200 /, answer);
  });
});

describe('request smuggling through Content-Length', () => {
  // Behind a proxy that reads the length another way (the first field, the last, or
  // Transfer-Encoding before Content-Length), the bytes after a body oatd accepted would be a
  // request the proxy never saw. Each is refused, and the request after it never answered.
  const post = (fields, body) => `POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\n${fields}\r\n${body}${TRAILING}`;
  for (const [what, fields, body] of [
    ['two Content-Length fields with the same value', 'Content-Length: 2\r\nContent-Length: 2\r\n', '{}'],
    ['one Content-Length listing the same value twice', 'Content-Length: 2, 2\r\n', '{}'],
    ['two Content-Length fields with different values', 'Content-Length: 2\r\nContent-Length: 7\r\n', '{}'],
    ['Content-Length, then Transfer-Encoding: chunked', 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'],
    ['Transfer-Encoding: chunked, then Content-Length', 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', '0\r\n\r\n'],
    ['Content-Length with a transfer coding oatd does not know', 'Content-Length: 5\r\nTransfer-Encoding: xchunked\r\n', '0\r\n\r\n'],
  ]) {
    test(`${what}: 400 naming the framing, closed, nothing after it answered`, async () => {
      const detail = refusedAlone(await rawExchange(server().port, post(fields, body)), 400);
      assert.match(detail, /Content-Length/);
    });
  }

  test('one Content-Length still reaches the API, and the request after it is answered', async () => {
    const answers = answersIn(await rawExchange(server().port,
      post('Content-Length: 2\r\n', '{}') + 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assert.deepEqual(answers.map((a) => a.status), [401, 200, 200]);
  });
});

describe('malformed chunked bodies', () => {
  const chunked = (chunks) =>
    `POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}${TRAILING}`;
  for (const [what, chunks] of [
    ['a size that is not hex', 'zz\r\n{}\r\n0\r\n\r\n'],
    ['a size with a 0x prefix', '0x2\r\n{}\r\n0\r\n\r\n'],
    ['a negative size', '-2\r\n{}\r\n0\r\n\r\n'],
    ['data not followed by CRLF', '2\r\n{}0\r\n\r\n'],
    ['more data than the size said', '1\r\n{}\r\n0\r\n\r\n'],
    ['lines ended by LF alone', '2\n{}\n0\n\n'],
    ['a size over 64 bits (1 and sixteen f)', `1${'f'.repeat(16)}\r\n{}\r\n0\r\n\r\n`],
    ['control characters in a chunk extension', '2;\x01\x02\r\n{}\r\n0\r\n\r\n'],
    ['a chunk extension with two equals signs', '2;a=b=c\r\n{}\r\n0\r\n\r\n'],
    ['a chunk extension without a name', '2;=x\r\n{}\r\n0\r\n\r\n'],
  ]) {
    test(`${what}: 400 naming the chunked body, closed, nothing after it answered`, async () => {
      const detail = refusedAlone(await rawExchange(server().port, chunked(chunks)), 400);
      assert.match(detail, /chunked body/);
    });
  }

  test('a size line that never ends is refused, not buffered for as long as it comes', async () => {
    // 200 KiB of zeros and no CRLF: past what the read buffer may hold, 400 (the client is still
    // sending; nothing else would end it before the read deadline).
    const answer = await rawExchange(server().port,
      `POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1${'0'.repeat(200 * 1024)}`);
    assert.match(refusedAlone(answer, 400), /chunked body/);
  });

  test('chunks with an extension still reach the API', async () => {
    const answers = answersIn(await rawExchange(server().port,
      chunked('1;name=value\r\n{\r\n1;q="a b"\r\n}\r\n0\r\n\r\n').replace(TRAILING,
        'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')));
    assert.deepEqual(answers.map((a) => a.status), [401, 200]);
  });
});

describe('request bodies over 64 KiB', () => {
  const KIB64 = 64 * 1024;
  test('a Content-Length over 64 KiB is 413, closed, nothing after it answered', async () => {
    const answer = await rawExchange(server().port,
      `POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\nContent-Length: ${KIB64 + 1}\r\n\r\n${'x'.repeat(KIB64 + 1)}${TRAILING}`);
    assert.match(refusedAlone(answer, 413), /too large/);
  });

  test('a chunked body growing past 64 KiB is 413, closed, nothing after it answered', async () => {
    const chunk = `8000\r\n${'x'.repeat(0x8000)}\r\n`;
    const answer = await rawExchange(server().port,
      `POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}1\r\nx\r\n0\r\n\r\n${TRAILING}`);
    assert.match(refusedAlone(answer, 413), /too large/);
  });

  test('a chunk whose size alone is over 64 KiB is 413 before its data comes', async () => {
    const answer = await rawExchange(server().port,
      `POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n{}${TRAILING}`);
    assert.match(refusedAlone(answer, 413), /too large/);
  });

  test('a body of exactly 64 KiB is read and answered', async () => {
    const body = `{${' '.repeat(KIB64 - 2)}}`;
    const answers = answersIn(await rawExchange(server().port,
      `POST /v2/auth/logout HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
    assert.deepEqual(answers.map((a) => a.status), [401]);
    assert.match(JSON.parse(answers[0].body).detail, /no session/);
  });
});

/** A connection to PORT, once it is open: a net.Socket whose errors are ignored. */
function openSocket(port) {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.once('connect', () => resolvePromise(socket));
    socket.once('error', reject);
  });
}

/** One request on SOCKET, an open connection; what came back until a whole answer was in. */
function requestOn(socket, bytes) {
  return new Promise((resolvePromise) => {
    let text = '';
    const onData = (d) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text);
      if (end > 0 && length && text.length >= end + 4 + Number(length[1])) {
        socket.off('data', onData);
        resolvePromise(text);
      }
    };
    socket.on('data', onData);
    socket.write(bytes);
  });
}

describe('idle and half-sent requests', () => {
  test('with 300 idle connections and 50 sending a header a byte at a time, others are answered', async () => {
    const port = server().port;
    const idle = await Promise.all(Array.from({ length: 300 }, () => openSocket(port)));
    const slow = await Promise.all(Array.from({ length: 50 }, () => openSocket(port)));
    const header = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'y'.repeat(200);
    let sent = 0;
    const trickle = setInterval(() => {
      for (const socket of slow) socket.write(header[sent % header.length]);
      sent += 1;
    }, 20);
    try {
      await sleep(200);  // the slow ones are in their headers
      for (let i = 0; i < 20; ++i) {
        const r = await server().get('/healthz');
        assert.equal(r.status, 200, String(r));
      }
      // The idle ones are served too, when they do ask.
      const answer = await requestOn(idle[0], 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(answer, /^HTTP\/1\.1 200 /);
    } finally {
      clearInterval(trickle);
      for (const socket of [...idle, ...slow]) socket.destroy();
    }
  });
});

describe('a connection limit (--max-connections)', () => {
  const LIMIT = 20;
  let limited;
  const sockets = [];
  before(async () => {
    // A second oatd on the file's database, with a small limit.
    limited = await Oatd.start(world.dir, { args: ['--max-connections', String(LIMIT)] });
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await limited?.stop();
  });

  const healthz = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

  test('the limit is the one asked for, and says so when oatd starts', () => {
    assert.match(limited.stderr, new RegExp(`"max_connections":${LIMIT}[,}][^\\n]*"msg":"listening"`));
  });

  test('past the limit a new connection gets a polite 503 and is closed; once some close, it is served', async () => {
    for (let i = 0; i < LIMIT; ++i) sockets.push(await openSocket(limited.port));
    // The listen queue is first in, first out: the next connection is accepted after the 20.
    const refused = answersIn(await rawExchange(limited.port, healthz));
    assert.deepEqual(refused.map((a) => a.status), [503]);
    assert.equal(refused[0].headers.connection, 'close');
    assert.match(refused[0].headers['retry-after'] ?? '', /^[1-9]\d*$/);
    assert.match(refused[0].headers['content-type'] ?? '', /^application\/json/);
    const body = JSON.parse(refused[0].body);
    assert.match(body.detail, /connections/);
    assert.equal(body.message, body.detail);
    assert.match(limited.stderr, /"msg":"refused connections: max-connections are being served"/);

    // The connections held are served all the while.
    const held = await requestOn(sockets[0], 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(held, /^HTTP\/1\.1 200 /);

    for (const socket of sockets.splice(0, 5)) socket.destroy();
    await waitFor(async () => /^HTTP\/1\.1 200 /.test(await rawExchange(limited.port, healthz)),
      'a request served once five connections closed');
    assert.ok(limited.running);
  });
});

describe('the open-file limit', () => {
  let prlimit;
  before(async () => {
    prlimit = (await run('prlimit', ['--version'])).code === 0;
  });

  test('without --max-connections, what it leaves is the limit: 503s and closes, never EMFILE', async (t) => {
    if (!prlimit) return t.skip('prlimit (util-linux) is not installed');
    // 256 descriptors: oatd's own files and its reserve leave a hundred or so connections.
    const child = start('prlimit', ['--nofile=256:256', '--', OATD, 'serve', '--db', world.db, '--key',
      signingKeyFile(world.dir), '--listen', '127.0.0.1:0', '--access-log', 'off'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const held = [];
    try {
      const port = await listeningPort(child, () => stderr);
      const limit = Number(/"max_connections":(\d+)/.exec(stderr)?.[1]);
      assert.ok(limit > 0 && limit < 256, stderr);
      // Every connection oatd may serve, and as many more again.
      for (let i = 0; i < 2 * limit; ++i) held.push(await openSocket(port).catch(() => null));
      const answer = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      // Refused (503), or closed at once when the refusals already use their share.
      assert.ok(answer === '' || /^HTTP\/1\.1 503 /.test(answer), answer.slice(0, 200));
      assert.doesNotMatch(stderr, /accepting connections failed/);
      for (const socket of held.splice(0)) socket?.destroy();
      await waitFor(async () => /^HTTP\/1\.1 200 /.test(await rawExchange(port,
        'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')), 'a request served again');
      assert.doesNotMatch(stderr, /accepting connections failed/);
    } finally {
      for (const socket of held) socket?.destroy();
      await stop(child);
    }
  });

  test('a --max-connections beyond the hard limit is lowered to fit, with a warning', async (t) => {
    if (!prlimit) return t.skip('prlimit (util-linux) is not installed');
    const child = start('prlimit', ['--nofile=256:256', '--', OATD, 'serve', '--db', world.db, '--key',
      signingKeyFile(world.dir), '--listen', '127.0.0.1:0', '--access-log', 'off',
      '--max-connections', '5000'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    try {
      await listeningPort(child, () => stderr);
      assert.match(stderr, /"asked":5000,[^\n]*"msg":"max-connections lowered to what the open-file limit leaves"/);
      const limit = Number(/"max_connections":(\d+)[^\n]*"msg":"listening"/.exec(stderr)?.[1]);
      assert.ok(limit > 0 && limit < 256, stderr);
    } finally {
      await stop(child);
    }
  });

  test('running out of descriptors anyway (the limit lowered under a running oatd) is survived', async (t) => {
    if (!prlimit) return t.skip('prlimit (util-linux) is not installed');
    // UndefinedBehaviorSanitizer tests whether memory is readable through a pipe: with no
    // descriptor left it takes every object for an invalid one and aborts (a false report).
    if (process.env.OAT_TEST_SANITIZED) return t.skip('the sanitizer build cannot run out of descriptors');
    const running = await Oatd.start(world.dir);
    const held = [];
    try {
      // oatd settled its connection limit at start; now it cannot open as many.
      const pid = String(running.child.pid);
      const soft = (await run('prlimit', ['--pid', pid, '--nofile', '--output=SOFT', '--noheadings'])).stdout.trim();
      assert.match(soft, /^\d+$/);
      const lowered = await run('prlimit', ['--pid', pid, '--nofile=64:']);
      assert.equal(lowered.code, 0, lowered.stderr);
      for (let i = 0; i < 100; ++i) held.push(await openSocket(running.port).catch(() => null));
      await waitFor(() => /"msg":"accepting connections failed; retrying every 100 ms"/.test(running.stderr),
        'the failed accepts logged');
      assert.ok(running.running);
      for (const socket of held.splice(0)) socket?.destroy();
      assert.equal((await run('prlimit', ['--pid', pid, `--nofile=${soft}:`])).code, 0);
      await waitFor(async () => /^HTTP\/1\.1 200 /.test(await rawExchange(running.port,
        'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')), 'a request served again');
      // Logged once, not once per retry.
      const lines = running.stderr.match(/accepting connections failed/g) ?? [];
      assert.ok(lines.length <= 2, `${lines.length} lines`);
    } finally {
      for (const socket of held) socket?.destroy();
      await running.stop();
    }
  });
});

describe('max-connections in the configuration file', () => {
  let dir;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oatd-conf-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a whole number is accepted; anything else is named with its line', async () => {
    const good = join(dir, 'good.toml');
    writeFileSync(good, 'db = "oat.db"\nmax-connections = 2000\n');
    const ok = await run(OATD, ['config', 'check', good]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, 'db = "oat.db"\nmax-connections = "many"\n');
    const refused = await run(OATD, ['config', 'check', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.stdout + refused.stderr, /bad\.toml:2:1: max-connections must be a whole number/);
  });
});

describe('GET /token with an Authorization header that cannot be read', () => {
  const base64 = (text) => Buffer.from(text).toString('base64');
  for (const [what, value] of [
    ['Basic with text that is not base64', 'Basic !!!'],
    ['Basic of a string without a colon', `Basic ${base64('acme')}`],
    ['Basic with nothing after it', 'Basic '],
    ['another scheme', 'Bearer abc'],
  ]) {
    test(`${what}: 401 in the registry's shape, no token`, async () => {
      const r = await server().get('/token?service=oat-registry&scope=repository:acme/docs:pull',
        { headers: { authorization: value } });
      assert.equal(r.status, 401, String(r));
      assert.equal(r.body.errors?.[0]?.code, 'UNAUTHORIZED', String(r));
      assert.equal(r.body.token, undefined);
      assert.match(r.headers['www-authenticate'] ?? '', /^Basic /);
    });
  }

  test('the OAuth2 POST /token refuses a malformed Basic header the same way', async () => {
    const r = await server().request('POST', '/token', {
      body: 'grant_type=password&service=oat-registry',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic !!!' },
    });
    assert.equal(r.status, 401, String(r));
    assert.equal(r.body.errors?.[0]?.code, 'UNAUTHORIZED');
  });

  test('no Authorization header at all stays the anonymous pull of public repositories', async () => {
    const r = await server().get('/token?service=oat-registry&scope=repository:acme/docs:pull');
    assert.equal(r.status, 200, String(r));
    assert.equal(typeof r.body.token, 'string');
  });
});

describe('names no database can hold: invalid UTF-8, NUL', () => {
  // Bytes SQLite keeps but PostgreSQL refuses (it stores only valid UTF-8, and no NUL): a name
  // made of them matches nothing, on either database, and is a wrong credential, not a 500.
  const secret = `dckr_oat_${'a'.repeat(32)}`;
  test('a Basic username with invalid UTF-8 at GET /token: 401 in the registry\'s shape', async () => {
    const basic = Buffer.concat([Buffer.from('ac'), Buffer.from([0xff]), Buffer.from(`me:${secret}`)]);
    const r = await server().get('/token?service=oat-registry&scope=repository:acme/app:pull',
      { headers: { authorization: `Basic ${basic.toString('base64')}` } });
    assert.equal(r.status, 401, String(r));
    assert.equal(r.body.errors?.[0]?.code, 'UNAUTHORIZED', String(r));
  });

  for (const [what, secretValue] of [['a password', 'not-the-password'], ['an access token', secret]]) {
    test(`a sign-in identifier with a NUL, with ${what}: 401`, async () => {
      const r = await server().request('POST', '/v2/auth/token', {
        body: JSON.stringify({ identifier: 'ow\u0000ner', secret: secretValue }),
        headers: { 'content-type': 'application/json' },
        from: freshClientAddress(),
      });
      assertDetailError(r, 401);
    });
  }

  for (const path of ['/v2/orgs/ac%FFme/access-tokens', '/v2/orgs/acme/access-tokens/ab%00cd']) {
    test(`a path whose name is not text, ${path}: 404 in the API's shape`, async () => {
      const r = await server().get(path, { bearer: world.bearers.owner });
      assertDetailError(r, 404);
    });
  }

  test('a description with a NUL is refused (400 naming the field), and nothing is created', async () => {
    const before = await server().tokens('acme', world.bearers.owner);
    const r = await server().post('/v2/orgs/acme/access-tokens',
      tokenRequest('acme', { description: 'built by\u0000CI' }), { bearer: world.bearers.owner });
    assertFieldError(r, 'description');
    assert.deepEqual(await server().tokens('acme', world.bearers.owner), before);
  });
});

describe('documented fields with the wrong JSON type', () => {
  const signIn = { identifier: 'owner', secret: password('owner') };
  for (const [path, body, field] of [
    ['/v2/auth/token', { ...signIn, refresh: 'yes' }, 'refresh'],
    ['/v2/auth/token', { ...signIn, refresh: 1 }, 'refresh'],
    ['/v2/auth/token', { ...signIn, identifier: 7 }, 'identifier'],
    ['/v2/auth/token', { ...signIn, secret: ['x'] }, 'secret'],
    ['/v2/users/login', { username: 'owner', password: { p: 1 } }, 'password'],
    ['/v2/users/login', { username: true, password: password('owner') }, 'username'],
    ['/v2/auth/refresh', { refresh_token: 12 }, 'refresh_token'],
    ['/v2/auth/logout', { refresh_token: false }, 'refresh_token'],
  ]) {
    test(`POST ${path} with ${JSON.stringify(body[field])} for "${field}" is a 400 naming it`, async () => {
      const messages = assertFieldError(await server().post(path, body), field);
      assert.match(messages.join(' '), /must be/);
    });
  }

  test('a refused sign-in opens no session', async () => {
    const r = await server().post('/v2/auth/token', { ...signIn, refresh: 'yes' });
    assert.equal(r.status, 400);
    assert.equal(r.body.refresh_token, undefined);
    assert.equal(r.body.access_token, undefined);
  });
});

describe('request line and header limits', () => {
  test('a request target over 8 KiB is 414 in the API\'s error shape', async () => {
    const r = await server().get(`/v2/orgs/${'a'.repeat(9000)}/access-tokens`, { bearer: world.bearers.owner });
    const detail = assertDetailError(r, 414);
    assert.match(detail, /URI/);
  });

  test('a target far over every limit is 414 too', async () => {
    const answer = await rawExchange(server().port,
      `GET /v2/orgs/${'a'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 414 /, answer.slice(0, 200));
  });

  test('headers over 16 KiB stay 431', async () => {
    const r = await server().get('/healthz', { headers: { 'x-big': 'y'.repeat(17_000) } });
    assertDetailError(r, 431);
  });

  test('a long target does not use up the headers\' room', async () => {
    const r = await server().get(`/healthz?${'q'.repeat(7000)}`, { headers: { 'x-big': 'y'.repeat(15_000) } });
    assert.equal(r.status, 200, String(r));
  });
});

// The database on a small tmpfs of its own, filled to the last byte. Needs mount(2), which root
// has on this project's machines; elsewhere the test says why it cannot run.
describe('a full disk', { skip: SQLITE_ONLY }, () => {
  let disk;
  let full;
  let bearer;

  before(async () => {
    disk = await smallDisk('4m');
    if (!disk.mounted) return;
    full = await Oatd.start(disk.dir);
    bearer = await full.signIn('owner');
    disk.fill();  // the next write to the database's WAL cannot get a block
  });

  after(async () => {
    await full?.stop();
    disk?.remove();
  });

  test('a write answers 503 with Retry-After and changes nothing; it works once space returns', async (t) => {
    if (!disk.mounted) return t.skip('mount -t tmpfs is not permitted here');
    const before = await full.snapshot('acme', bearer);
    const r = await full.post('/v2/orgs/acme/access-tokens', tokenRequest('acme', { label: 'on a full disk' }), { bearer });
    const detail = assertDetailError(r, 503);
    assert.match(detail, /storage is full/i);
    assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
    assert.deepEqual(await full.snapshot('acme', bearer), before, 'nothing half-done');
    assert.match(full.stderr, /"msg":"a request was refused: the storage is full, busy or unreachable"/);

    rmSync(join(disk.dir, 'filler'));
    const again = await full.post('/v2/orgs/acme/access-tokens', tokenRequest('acme', { label: 'space returned' }), { bearer });
    assert.equal(again.status, 201, String(again));
    const afterwards = await full.snapshot('acme', bearer);
    assert.deepEqual(afterwards.tokens.map((x) => x.label), ['space returned']);
  });
});

describe('a database oatd cannot keep is named at start', { skip: SQLITE_ONLY }, () => {
  let dir;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oatd-start-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // `oatd serve` over DB, run by the command WRAP names (setpriv) if any; it must exit at once.
  const serve = (db, wrap = []) => {
    const [command, ...args] = [...wrap, OATD, 'serve', '--db', db, '--listen', '127.0.0.1:0'];
    return run(command, args);
  };

  test('a --db in a folder that does not exist', async () => {
    const db = join(dir, 'missing', 'oatd.db');
    const r = await serve(db);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(`"${db}"`), r.stderr);
    assert.ok(r.stderr.includes(`the folder "${join(dir, 'missing')}" does not exist`), r.stderr);
  });

  test('a --db whose folder is a file', async () => {
    const file = join(dir, 'plainfile');
    closeSync(openSync(file, 'w'));
    const r = await serve(join(file, 'oatd.db'));
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`"${file}" is not a folder`), r.stderr);
  });

  test('a read-only data folder holding a database', async () => {
    // Root may write anywhere, so the server runs as nobody, as a packaged oatd runs as its user.
    const asRoot = process.getuid() === 0;
    const folder = join(dir, 'readonly');
    mkdirSync(folder);
    await seedWorld(join(folder, 'oatd.db'));
    chmodSync(dir, 0o755);
    chmodSync(join(folder, 'oatd.db'), 0o666);
    chmodSync(folder, 0o555);
    const r = await serve(join(folder, 'oatd.db'),
      asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []);
    chmodSync(folder, 0o755);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`the folder "${folder}" is not writable by user \\S+`), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});
