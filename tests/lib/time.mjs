// Waiting and time, for every Node test suite (tests/api, tests/registry, tests/browser).

/**
 * Upper bound on any single wait (a process starting or ending, an HTTP answer, polling, a
 * widget). Generous, because the browser tests share the machine with Chromium rendering in
 * software (SwiftShader); a wait that runs out is a failure, so only failing tests pay it.
 */
export const WAIT_MS = 20_000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A bound on a wait that must not keep the test process alive once the wait is over. */
export const idle = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Polls PREDICATE (sync or async) every INTERVAL ms until it returns a truthy value, which it
 * returns; throws, naming WHAT, after TIMEOUT ms.
 */
export async function waitFor(predicate, what, { timeout = WAIT_MS, interval = 20 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(interval);
  }
}

/** RFC 3339 at whole seconds, as the API takes it: 2027-01-31T12:00:00Z. */
export function rfc3339(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
