// The database behind a test's oatd, by backend. The same suites run against both of oatd's
// backends; the environment says which (CMake sets it for each ctest entry):
//   OAT_TEST_BACKEND=sqlite    (the default) a file in the test's data folder, DIR/oat.db;
//   OAT_TEST_BACKEND=postgres  a fresh database of the test's own on the cluster whose URI is
//                              OAT_TEST_POSTGRES (scripts/test starts one and sets it; by hand,
//                              scripts/postgres start DIR prints it).
// Either way the data folder stays the test's: the signing key lives there (signingKeyFile in
// oatd.mjs), and tests that are about SQLite's own files skip under postgres (SQLITE_ONLY).
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

import { runOk } from './processes.mjs';

const BACKENDS = ['sqlite', 'postgres'];

/** The backend the suites run against: 'sqlite' or 'postgres'. */
export const BACKEND = process.env.OAT_TEST_BACKEND || 'sqlite';
if (!BACKENDS.includes(BACKEND)) {
  throw new Error(`OAT_TEST_BACKEND=${BACKEND}: use one of ${BACKENDS.join(', ')}`);
}

/**
 * node:test's skip option for a test (or describe) about SQLite's files themselves (the database
 * file, its WAL, the folder it lives in): skipped, saying why, under postgres.
 */
export const SQLITE_ONLY = BACKEND === 'postgres' && 'about SQLite files (OAT_TEST_BACKEND=postgres)';

/** psql, which creates and drops the postgres backend's databases: $PSQL, or the one on PATH. */
const PSQL = process.env.PSQL ?? 'psql';

// Data folder -> promise of its --db value: oatd admin, oatd serve and oatd cert of one folder all
// get the same database, however often they ask.
const databases = new Map();

/**
 * The `--db` value of the data folder DIR for the backend under test: DIR/oat.db, or the URI of a
 * new, empty PostgreSQL database made for DIR (oat_<random hex>) on $OAT_TEST_POSTGRES's cluster,
 * as user postgres. The same value for the same folder within a test file. Drop it with
 * dropTestDatabase (removeDataDir in world.mjs does).
 */
export function testDatabase(dir) {
  const key = resolve(dir);
  if (!databases.has(key)) {
    databases.set(key, BACKEND === 'postgres' ? newPostgresDatabase() : Promise.resolve(join(dir, 'oat.db')));
  }
  return databases.get(key);
}

/** Drops the postgres database testDatabase made for DIR, if any (its sessions are ended first). */
export async function dropTestDatabase(dir) {
  const key = resolve(dir);
  const made = databases.get(key);
  databases.delete(key);
  if (BACKEND !== 'postgres' || !made) return;
  await dropDatabase(databaseName(await made.catch(() => null)));
}

// DROP DATABASE waits for a checkpoint, which on a busy machine (every suite's files creating
// databases side by side, fsync on) can take long. The cluster is thrown away at the end anyway:
// a drop that fails or takes over 40 s is reported, not a test failure.
async function dropDatabase(name) {
  if (!name) return;
  try {
    await psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, { timeout: 40_000 });
  } catch (error) {
    process.stderr.write(`warning: ${error.message}\n`);
  }
}

function cluster() {
  const uri = process.env.OAT_TEST_POSTGRES;
  if (!uri) {
    throw new Error('OAT_TEST_BACKEND=postgres needs OAT_TEST_POSTGRES, the URI of a PostgreSQL ' +
      'cluster to make test databases on. scripts/test starts one and sets it; by hand: ' +
      'scripts/postgres start "$(mktemp -d)" prints the URI to export.');
  }
  return uri;
}

// postgres[ql]://AUTHORITY[/DATABASE][?PARAMETERS]: the parts around DATABASE. (Not new URL():
// an empty host, as in postgresql://postgres@/db?host=/socket/folder, is no URL to it.)
const URI_RE = /^(postgres(?:ql)?:\/\/[^/?#]*)(?:\/([^?#]*))?(\?[^#]*)?$/;

function withDatabase(uri, name) {
  const m = URI_RE.exec(uri);
  if (!m) throw new Error(`OAT_TEST_POSTGRES=${uri}: not a postgresql:// URI`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

function databaseName(uri) {
  const name = uri && URI_RE.exec(uri)?.[2];
  return name && /^oat_[0-9a-f]+$/.test(name) ? name : null;
}

async function psql(sql, options) {
  const args = [cluster(), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql];
  try {
    await runOk(PSQL, args, options);
  } catch (error) {
    error.message = `${sql} on the cluster of OAT_TEST_POSTGRES failed: ${error.message}`;
    throw error;
  }
}

/**
 * Runs SQL on the database DB (a --db value of either backend) beside the running server: for
 * what no API can do, such as making a token look older than it is. sqlite3 or psql, from the
 * setup's packages.
 */
export async function runSql(db, sql) {
  if (/^postgres(ql)?:\/\//.test(db)) {
    await runOk(PSQL, [db, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  } else {
    await runOk(process.env.SQLITE3 ?? 'sqlite3', ['-bail', db, `PRAGMA busy_timeout = 10000; ${sql}`]);
  }
}

/**
 * Waits until no session is connected to DB (a --db value; nothing to wait for with SQLite) but
 * the one asking, for at most TIMEOUT ms. A server killed with SIGKILL leaves its sessions to
 * PostgreSQL, which still finishes what they were sent (a COMMIT sent just before the kill is
 * committed, maybe after a new server has started); once they are gone, every write of the
 * killed server is settled, committed or rolled back.
 */
export async function waitForNoSessions(db, timeout = 20_000) {
  if (!/^postgres(ql)?:\/\//.test(db)) return;
  const sql = 'SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';
  const deadline = Date.now() + timeout;
  for (;;) {
    const { stdout } = await runOk(PSQL, [db, '-X', '-q', '-A', '-t', '-c', sql]);
    if (stdout.trim() === '0') return;
    if (Date.now() > deadline) throw new Error(`${db}: ${stdout.trim()} sessions still connected after ${timeout} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** Drops a database newPostgresDatabase made. */
export async function dropPostgresDatabase(uri) {
  await dropDatabase(databaseName(uri));
}

/**
 * A new, empty PostgreSQL database on $OAT_TEST_POSTGRES's cluster, whatever the backend under
 * test (testDatabase's for postgres, and tests that move data between the backends); its URI.
 * Drop it with dropPostgresDatabase.
 */
export async function newPostgresDatabase() {
  const uri = cluster();
  // Unique across the files running side by side on one cluster; lower case, so no quoting.
  const name = `oat_${randomBytes(8).toString('hex')}`;
  await psql(`CREATE DATABASE ${name}`);
  return withDatabase(uri, name);
}
