// Child processes of the test suites (oatd, docker-registry, skopeo). Every child is tracked
// until it exits, and killed should the test file end first: the after() hooks stop what they
// started; the exit and signal handlers below are the last resort (a crash, the runner's
// SIGTERM, Ctrl-C).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

import { WAIT_MS, idle } from './time.mjs';

const children = new Set();

function killChildren() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killChildren();
    process.exit(128 + constants.signals[signal]);
  });
}

/**
 * Starts COMMAND ARGS (child_process.spawn's OPTIONS) and tracks it; the child gets `exited`, a
 * promise of its {code, signal}.
 */
export function start(command, args, options) {
  const child = spawn(command, args, options);
  children.add(child);
  child.exited = new Promise((done) => child.once('exit', (code, signal) => {
    children.delete(child);
    done({ code, signal });
  }));
  return child;
}

/**
 * A sanitizer's report in TEXT (a program's stderr), or null: AddressSanitizer, LeakSanitizer and
 * UndefinedBehaviorSanitizer (the sanitizer builds of oatd, label "sanitize") write these lines,
 * and nothing else does. A report is a bug found, even when the program went on or exited 0.
 */
export function sanitizerReport(text) {
  const at = text.search(/^==\d+==ERROR: (AddressSanitizer|LeakSanitizer)|^\S+:\d+:\d+: runtime error: /m);
  return at < 0 ? null : text.slice(at, at + 4000);
}

/** Throws with the report when TEXT, the stderr of WHAT, has a sanitizer's report. */
export function assertNoSanitizerReport(text, what) {
  const report = sanitizerReport(text);
  if (report) throw new Error(`${what}: a sanitizer found a bug:\n${report}`);
}

/** Whether CHILD still runs. */
export const running = (child) => child.exitCode === null && child.signalCode === null;

/** Stops CHILD: SIGTERM, then SIGKILL if it lingers past GRACE ms. Safe to call twice. */
export async function stop(child, grace = 5000) {
  if (!child || !running(child)) return;
  child.kill('SIGTERM');
  if ((await Promise.race([child.exited, idle(grace).then(() => null)])) === null) {
    child.kill('SIGKILL');
    await Promise.race([child.exited, idle(WAIT_MS)]);
  }
}

/**
 * Runs COMMAND ARGS to completion with INPUT on stdin (none: stdin is /dev/null) in ENV (default:
 * this process's); resolves {code, signal, stdout, stderr}, whatever the exit status. Killed,
 * and rejected, after TIMEOUT ms.
 */
export function run(command, args, { input, env, timeout = WAIT_MS } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = start(command, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeout} ms: ${stderr}`));
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close', not 'exit': by then stdout and stderr have been read to the end.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        assertNoSanitizerReport(stderr, `${command} ${args.join(' ')}`);
      } catch (e) {
        reject(e);
        return;
      }
      resolvePromise({ code, signal, stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when the command exits without reading stdin
      child.stdin.end(input);
    }
  });
}

/** run(), which must exit 0; its result. */
export async function runOk(command, args, options) {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr}`);
  return r;
}
