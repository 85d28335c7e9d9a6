#!/usr/bin/env node
// A stand-in for Prisma's native `schema-engine` binary, for machines that cannot download it.
//
// The Prisma CLI finds it through PRISMA_SCHEMA_ENGINE_BINARY (prisma.config.ts sets it with `??=`, so a
// real engine still wins where one is configured). It runs the official wasm build of the same Rust
// engine (node_modules/prisma/build/schema_engine_bg.wasm: the exact engine commit of the installed CLI;
// else @prisma/schema-engine-wasm) and reaches PostgreSQL through @prisma/adapter-pg.
//
// The CLI <-> engine protocol (internal to Prisma, so pinned versions and a test of the whole migration
// flow guard it):
//   schema-engine --version                                         -> "schema-engine-cli <hash>"
//   schema-engine --datasource '{"url":...}' cli can-connect-to-database|create-database|drop-database
//       one-shot; exit code 0 = done; on error, JSON log lines on stderr with level ERROR and
//       fields {error_code, message}, exit code 1.
//   schema-engine [--datamodels FILE]... [--datasource JSON] [--enabled-preview-features a,b]
//       JSON-RPC 2.0, one message per line on stdin/stdout. Each request is forwarded to the wasm
//       engine's method of the same name. Errors: {code: 4466, message, data: {message, error_code,
//       is_panic, meta}}. The text output of `diff` goes back to the CLI as a `print` request.
//
// Fixes over stock @prisma/adapter-pg 7.10.1 (see the tech notes):
//   1. "char" columns (OID 18, e.g. pg_constraint.contype) are relabelled as text for the adapter and
//      reported to the engine as ColumnTypeEnum.Character (`name` already maps to Text in 7.10).
//   2. executeScript sends the whole script as ONE simple-protocol query: PostgreSQL runs it as one
//      implicit transaction, so a failing migration rolls back fully, and $$ bodies survive.
//   3. A real shadow database: shadowDatabaseUrl when configured (its schemas wiped first), an in-memory
//      PGlite when the main database is PGlite (or there is none), else
//      CREATE DATABASE prisma_migrate_shadow_db_<uuid> on the same server, dropped afterwards.
//   4. createMigration / evaluateDataLoss are retried once after diagnoseMigrationHistory warmed the
//      engine's migration cache ("PostgreSQL shadow DB must be provided through an external factory").
//
// Debug: SCHEMA_ENGINE_SHIM_DEBUG=1 logs every SQL statement and RPC message to stderr.
// SCHEMA_ENGINE_WASM=/path/to/schema_engine_bg.wasm picks another wasm build.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const DEBUG = /^(1|true|yes)$/i.test(process.env.SCHEMA_ENGINE_SHIM_DEBUG ?? '');
const debug = (...args) => {
  if (DEBUG) process.stderr.write(`[schema-engine-shim] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
};

// ---------------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const out = { datamodels: [], datasource: undefined, previewFeatures: [], cli: undefined, version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value after ${a}`);
      return argv[++i];
    };
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => (inline !== undefined ? inline : next());
    switch (flag) {
      case '-d':
      case '--datamodels':
      case '--datamodel':
        out.datamodels.push(value());
        break;
      case '--datasource':
        out.datasource = JSON.parse(value());
        break;
      case '--enabled-preview-features':
        out.previewFeatures = value().split(',').filter(Boolean);
        break;
      case '--extension-types':
        value(); // PostgreSQL extension types: not supported by the wasm engine constructor; ignored.
        break;
      case '-V':
      case '--version':
        out.version = true;
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      case 'cli':
        out.cli = argv[i + 1];
        i = argv.length;
        break;
      default:
        throw new Error(`unknown argument: ${a}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The wasm engine
// ---------------------------------------------------------------------------------------------------

function resolveWasmPath() {
  if (process.env.SCHEMA_ENGINE_WASM) return path.resolve(process.env.SCHEMA_ENGINE_WASM);
  const candidates = [];
  try {
    // The CLI ships the exact engine commit it was released with (unused by the CLI itself).
    candidates.push(path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm'));
  } catch {
    /* prisma not installed next to the shim */
  }
  try {
    candidates.push(path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/package.json')), 'schema_engine_bg.wasm'));
  } catch {
    /* optional */
  }
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error('no schema_engine_bg.wasm found (install prisma or @prisma/schema-engine-wasm)');
  return found;
}

let wasmGlue;
async function loadWasmEngine() {
  if (wasmGlue) return wasmGlue;
  // The package entry imports the .wasm file as an ES module, which Node 20 cannot do: compile the wasm
  // here and hand it the package's JS glue as its import module.
  const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = resolveWasmPath();
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const importModules = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
  if (importModules.length !== 1) throw new Error(`unexpected wasm imports in ${wasmPath}: ${importModules.join(', ')}`);
  const missing = WebAssembly.Module.imports(module).filter((i) => typeof glue[i.name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`${wasmPath} does not match the JS glue of @prisma/schema-engine-wasm (missing: ${missing.map((m) => m.name).join(', ')})`);
  }
  const instance = new WebAssembly.Instance(module, { [importModules[0]]: glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  debug('wasm', wasmPath, 'engine', glue.version());
  wasmGlue = glue;
  return glue;
}

// Rust panics call global.PRISMA_WASM_PANIC_REGISTRY.set_message before the wasm traps.
const panicRegistry = {
  message: undefined,
  set_message(value) {
    this.message = value;
  },
};
globalThis.PRISMA_WASM_PANIC_REGISTRY = panicRegistry;

// ---------------------------------------------------------------------------------------------------
// Database access: @prisma/adapter-pg with the fixes
// ---------------------------------------------------------------------------------------------------

const { PrismaPg } = await import('@prisma/adapter-pg');
const { ColumnTypeEnum, bindMigrationAwareSqlAdapterFactory } = await import('@prisma/driver-adapter-utils');
const pg = (await import('pg')).default;

const CHAR_OID = 18; // PostgreSQL's one-byte "char" (pg_constraint.contype, confdeltype, ...)
const TEXT_OID = 25;

/** Fix 1: relabel "char" columns as text for the adapter, then report them to the engine as Character. */
function patchQueryable(queryable) {
  const charColumns = new WeakMap(); // result rows array -> indexes of "char" columns
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    debug('sql', query.sql, query.args?.length ? query.args : '');
    const result = await performIO(query);
    if (result?.fields?.some((f) => f.dataTypeID === CHAR_OID)) {
      const indexes = [];
      result.fields = result.fields.map((f, i) => {
        if (f.dataTypeID !== CHAR_OID) return f;
        indexes.push(i);
        return { ...f, dataTypeID: TEXT_OID };
      });
      charColumns.set(result.rows, indexes);
    }
    return result;
  };
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const i of charColumns.get(resultSet.rows) ?? []) resultSet.columnTypes[i] = ColumnTypeEnum.Character;
    return resultSet;
  };
  return queryable;
}

function patchAdapter(adapter) {
  patchQueryable(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => patchQueryable(await startTransaction(...args));
  // Fix 2: the stock executeScript splits on ';' and runs the pieces one by one.
  adapter.executeScript = async (script) => {
    debug('script', script);
    try {
      // No parameters: pg uses the simple query protocol, and PostgreSQL runs a multi-statement
      // simple query as one implicit transaction (unless the script has its own BEGIN/COMMIT).
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      adapter.onError(error); // throws a DriverAdapterError the engine understands
    }
  };
  return adapter;
}

function describeUrl(url) {
  try {
    const u = new URL(url);
    return { host: u.hostname || 'localhost', port: u.port || '5432', database: decodeURIComponent(u.pathname.replace(/^\//, '')) || u.username || 'postgres', user: decodeURIComponent(u.username) };
  } catch {
    return { host: '?', port: '?', database: '?', user: '?' };
  }
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function quoteIdent(name) {
  return `"${String(name).replaceAll('"', '""')}"`;
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function isPglite(url) {
  return withClient(url, async (c) => /PGlite/i.test((await c.query('SELECT version() AS v')).rows[0].v));
}

/**
 * A fresh in-memory PGlite. Its initdb takes ~4 s, so the first one is dumped to a template file in the
 * temp folder (per PGlite version) and later ones load from it (~0.7 s).
 */
async function createMemoryPglite() {
  const { PGlite } = await import('@electric-sql/pglite');
  let template;
  try {
    let dir = path.dirname(require.resolve('@electric-sql/pglite'));
    while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    template = path.join(os.tmpdir(), `prisma-schema-engine-shim-pglite-${version}.tar`);
    if (fs.existsSync(template)) {
      return await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(template)]) });
    }
  } catch (e) {
    debug('PGlite template not usable:', e?.message ?? String(e));
  }
  const db = await PGlite.create();
  if (template) {
    try {
      const dump = await db.dumpDataDir('none');
      const tmp = `${template}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(tmp, template);
    } catch (e) {
      debug('could not save the PGlite template:', e?.message ?? String(e));
    }
  }
  return db;
}

/** An in-memory PGlite served on a random loopback port, for use as a shadow database. */
async function startMemoryPglite() {
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await createMemoryPglite();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    async close() {
      await server.stop().catch(() => {});
      await db.close().catch(() => {});
    },
  };
}

const cleanups = new Set(); // shadow databases still to drop if we are stopped early

class ShimPgAdapterFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  constructor({ url, shadowDatabaseUrl }) {
    this.url = url;
    this.shadowDatabaseUrl = shadowDatabaseUrl;
  }

  async connect() {
    if (!this.url) {
      // The wasm engine always opens its main connection (it asks for the server version first), even
      // for `migrate diff --from-empty --to-schema`. With no database configured it gets a scratch
      // in-memory PGlite, so such commands work offline and without a server.
      debug('no datasource url: main connection goes to an in-memory PGlite');
      return this.#memoryPgliteAdapter();
    }
    // The engine takes a session-level pg_advisory_lock (migrate deploy/dev) on whichever pooled
    // connection runs it and holds it until exit, as the native engine does with its one connection:
    // never close idle connections, or the lock could go mid-command.
    return patchAdapter(await new PrismaPg({ connectionString: this.url, idleTimeoutMillis: 0 }).connect());
  }

  async #memoryPgliteAdapter() {
    const mem = await startMemoryPglite();
    debug('in-memory PGlite', mem.url);
    cleanups.add(mem.close);
    const adapter = await new PrismaPg({ connectionString: mem.url }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await mem.close();
      cleanups.delete(mem.close);
    };
    return patchAdapter(adapter);
  }

  // Fix 3: the stock connectToShadowDb passes `{...config, database}` to pg, where connectionString
  // wins over `database`, so the "shadow" replay ran in the main database.
  async connectToShadowDb() {
    if (this.shadowDatabaseUrl) {
      if (this.url && sameDatabase(this.url, this.shadowDatabaseUrl)) {
        throw new Error('The shadow database you configured appears to be the same as the main database. Please specify another shadow database.');
      }
      await withClient(this.shadowDatabaseUrl, async (c) => {
        const { rows } = await c.query(
          "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%'",
        );
        const drops = rows.map((r) => `DROP SCHEMA ${quoteIdent(r.nspname)} CASCADE;`).join('\n');
        await c.query(`${drops}\nCREATE SCHEMA IF NOT EXISTS public;`);
      });
      debug('shadow: configured shadowDatabaseUrl');
      return patchAdapter(await new PrismaPg({ connectionString: this.shadowDatabaseUrl }).connect());
    }

    if (!this.url || (await isPglite(this.url))) {
      // PGlite serves one database: CREATE DATABASE works there, but connecting to it lands in the
      // main database again. The shadow is a fresh in-memory PGlite instead.
      debug('shadow: in-memory PGlite');
      return this.#memoryPgliteAdapter();
    }

    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await withClient(this.url, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
    debug('shadow: created database', database);
    const drop = () => dropDatabase(this.url, database);
    cleanups.add(drop);
    const adapter = await new PrismaPg({ connectionString: withDatabase(this.url, database) }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await drop();
      cleanups.delete(drop);
    };
    return patchAdapter(adapter);
  }
}

function sameDatabase(a, b) {
  const x = describeUrl(a);
  const y = describeUrl(b);
  return x.host === y.host && x.port === y.port && x.database === y.database;
}

async function dropDatabase(url, database) {
  await withClient(url, async (c) => {
    const version = Number((await c.query('SHOW server_version_num')).rows[0].server_version_num);
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}${version >= 130000 ? ' WITH (FORCE)' : ''}`);
  }).then(
    () => debug('dropped database', database),
    (e) => process.stderr.write(`[schema-engine-shim] could not drop ${database}: ${e.message}\n`),
  );
}

async function runCleanups() {
  for (const c of [...cleanups]) await c();
  cleanups.clear();
}

// ---------------------------------------------------------------------------------------------------
// One-shot commands: cli can-connect-to-database | create-database | drop-database
// ---------------------------------------------------------------------------------------------------

class UserFacingError extends Error {
  constructor(code, message, meta) {
    super(message);
    this.code = code;
    this.meta = meta;
  }
}

function connectionError(url, e) {
  const { host, port, database, user } = describeUrl(url);
  switch (e?.code) {
    case '3D000':
      return new UserFacingError('P1003', `Database \`${database}\` does not exist on the database server at \`${host}:${port}\`.`, { database_name: database, database_host: host, database_port: port });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
      return new UserFacingError('P1001', `Can't reach database server at \`${host}:${port}\`\n\nPlease make sure your database server is running at \`${host}:${port}\`.`, { database_host: host, database_port: port });
    case 'ETIMEDOUT':
      return new UserFacingError('P1002', `The database server at \`${host}:${port}\` was reached but timed out.`, { database_host: host, database_port: port });
    case '28P01':
    case '28000':
      return new UserFacingError('P1000', `Authentication failed against database server, the provided database credentials for \`${user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.`, { database_user: user, database_host: host });
    case '42P04':
      return new UserFacingError('P1009', `Database \`${database}\` already exists on the database server at \`${host}:${port}\``, { database_name: database, database_host: host, database_port: port });
    case '42501':
      return new UserFacingError('P1010', `User was denied access on the database \`${database}\``, { database_name: database });
    default:
      return e instanceof Error ? e : new Error(String(e));
  }
}

/** Connect to the server's maintenance database (to create or drop the target one). */
async function withAdminClient(url, fn) {
  let lastError;
  for (const db of ['postgres', 'template1']) {
    try {
      return await withClient(withDatabase(url, db), fn);
    } catch (e) {
      lastError = e;
      if (e?.code !== '3D000') break;
    }
  }
  throw lastError;
}

function logLine(level, fields) {
  return JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: 'schema_engine::logger' });
}

async function runCliCommand(command, datasource) {
  const url = datasource?.url;
  process.stderr.write(`${logLine('INFO', { message: `Starting schema engine CLI (wasm shim): ${command}` })}\n`);
  try {
    if (!url) throw new UserFacingError('P1012', 'No datasource URL was given (--datasource {"url": ...}).');
    const { database } = describeUrl(url);
    switch (command) {
      case 'can-connect-to-database':
        await withClient(url, (c) => c.query('SELECT 1')).catch((e) => {
          throw connectionError(url, e);
        });
        break;
      case 'create-database':
        await withAdminClient(url, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`)).catch((e) => {
          throw connectionError(url, e);
        });
        process.stdout.write(`Database '${database}' was successfully created.\n`);
        break;
      case 'drop-database':
        await withAdminClient(url, async (c) => {
          const version = Number((await c.query('SHOW server_version_num')).rows[0].server_version_num);
          await c.query(`DROP DATABASE ${quoteIdent(database)}${version >= 130000 ? ' WITH (FORCE)' : ''}`);
        }).catch((e) => {
          throw connectionError(url, e);
        });
        process.stdout.write(`The database was successfully dropped.\n`);
        break;
      default:
        throw new Error(`unknown cli command: ${command}`);
    }
    return 0;
  } catch (e) {
    const fields = { is_panic: false, message: e.message };
    if (e.code && /^P\d{4}$/.test(e.code)) fields.error_code = e.code;
    process.stderr.write(`${logLine('ERROR', fields)}\n`);
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// JSON-RPC server
// ---------------------------------------------------------------------------------------------------

const ENGINE_METHODS = new Set([
  'applyMigrations',
  'createMigration',
  'dbExecute',
  'devDiagnostic',
  'diagnoseMigrationHistory',
  'diff',
  'ensureConnectionValidity',
  'evaluateDataLoss',
  'introspect',
  'introspectSql',
  'markMigrationApplied',
  'markMigrationRolledBack',
  'reset',
  'schemaPush',
  'version',
]);

function isWarmupError(e) {
  return /shadow DB must be provided through an external factory/i.test(e?.message ?? '');
}

function rpcError(e, factory) {
  // A JS error thrown inside the adapter travels through the engine as {kind: 'GenericJs', id}.
  if (e instanceof WebAssembly.RuntimeError || e?.name === 'RuntimeError') {
    const message = panicRegistry.message ?? e.message;
    panicRegistry.message = undefined;
    // The CLI shows error.message (or data.error.message) for panics, data.message otherwise.
    return { code: 4466, message, data: { is_panic: true, message, backtrace: e.stack ?? '' } };
  }
  const data = { is_panic: false, message: e?.message ?? String(e) };
  if (typeof e?.code === 'string' && e.code) data.error_code = e.code;
  if (e?.meta !== undefined) data.meta = e.meta;
  const external = /External error id#(\d+)/.exec(data.message);
  const registered = external ? factory.errorRegistry.consumeError(Number(external[1])) : undefined;
  if (registered?.error) data.message = data.message.replace(external[0], registered.error.message ?? String(registered.error));
  return { code: 4466, message: 'An error happened. Check the data field for details.', data };
}

async function runRpcServer(args) {
  const files = args.datamodels.map((p) => [p, fs.readFileSync(path.resolve(p), 'utf8')]);
  const datasource = args.datasource ?? {};
  const factory = bindMigrationAwareSqlAdapterFactory(new ShimPgAdapterFactory({ url: datasource.url, shadowDatabaseUrl: datasource.shadowDatabaseUrl }));
  const glue = await loadWasmEngine();
  let enginePromise;
  const engine = () => {
    enginePromise ??= glue.SchemaEngine.new(
      // `undefined`, not []: an empty datamodel list panics.
      { datamodels: files.length > 0 ? files : undefined },
      (log) => {
        // The engine's tracing output: JSON lines, which the CLI reads from stderr (ERROR level = lastError).
        process.stderr.write(`${String(log).trimEnd()}\n`);
      },
      factory,
    );
    return enginePromise;
  };

  let nextId = 1;
  const pendingPrints = new Map();
  const send = (msg) => {
    const line = JSON.stringify(msg);
    debug('->', line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
    process.stdout.write(`${line}\n`);
  };
  const print = (content) =>
    new Promise((resolve) => {
      const id = `shim-print-${nextId++}`;
      pendingPrints.set(id, resolve);
      send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });

  async function call(method, params) {
    if (method === 'getDatabaseVersion') method = 'version';
    if (method === 'createDatabase') {
      const url = params?.datasource?.url ?? datasource.url;
      const { database } = describeUrl(url);
      await withAdminClient(url, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`)).catch((e) => {
        throw connectionError(url, e);
      });
      return { databaseName: database };
    }
    if (method === 'debugPanic') {
      (await engine()).debugPanic();
      return {};
    }
    if (!ENGINE_METHODS.has(method)) throw new Error(`Method not supported by the wasm schema engine shim: ${method}`);
    const e = await engine();
    try {
      return await e[method](params ?? undefined);
    } catch (error) {
      // Fix 4: warm the engine's migrations cache, then retry once.
      if ((method === 'createMigration' || method === 'evaluateDataLoss') && isWarmupError(error)) {
        debug('warm-up retry for', method);
        await e.diagnoseMigrationHistory({ migrationsList: params.migrationsList, optInToShadowDatabase: true, filters: params.filters });
        return await e[method](params);
      }
      throw error;
    }
  }

  let queue = Promise.resolve();
  let current; // the request being served
  // A Rust panic inside one of the engine's async tasks traps outside any awaited promise: answer the
  // request in flight as a panic (as the native engine does), then exit with the panic exit code.
  process.on('uncaughtException', (e) => {
    const error = rpcError(e, factory);
    if (!error.data.is_panic) {
      error.message = `${error.data.message}\n${e?.stack ?? ''}`;
      error.data = { is_panic: true, message: error.message, backtrace: e?.stack ?? '' };
    }
    process.stderr.write(`${logLine('ERROR', { is_panic: true, message: error.data.message })}\n`);
    if (current) send({ jsonrpc: '2.0', id: current.id, error });
    runCleanups().finally(() => process.exit(101));
  });
  const handle = async (req) => {
    current = req;
    try {
      let result = await call(req.method, req.params);
      if (req.method === 'diff' && result && typeof result.stdout === 'string') {
        if (result.stdout.length > 0) await print(result.stdout.replace(/\n$/, ''));
        result = { ...result, stdout: null };
      }
      send({ jsonrpc: '2.0', id: req.id, result: result === undefined || result === null ? {} : result });
    } catch (e) {
      debug('error', e?.stack ?? String(e));
      send({ jsonrpc: '2.0', id: req.id, error: rpcError(e, factory) });
    } finally {
      current = undefined;
    }
  };

  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    debug('<-', line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (msg.method === undefined && pendingPrints.has(msg.id)) {
      pendingPrints.get(msg.id)();
      pendingPrints.delete(msg.id);
      return;
    }
    if (typeof msg.method !== 'string') return;
    queue = queue.then(() => handle(msg));
  });
  await new Promise((resolve) => rl.on('close', resolve));
  await queue;
  if (enginePromise) {
    try {
      (await enginePromise).free();
    } catch {
      /* already gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`schema-engine (wasm shim): ${e.message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
    return 0;
  }
  if (args.version) {
    const glue = await loadWasmEngine();
    process.stdout.write(`schema-engine-cli ${glue.version()}\n`);
    return 0;
  }
  if (args.cli) return runCliCommand(args.cli, args.datasource);
  await runRpcServer(args);
  return 0;
}

// The CLI ends a session by closing stdin and sending SIGTERM straight away: drop what is left, exit.
process.on('SIGTERM', () => {
  runCleanups().finally(() => process.exit(0));
});
process.on('SIGINT', () => {
  runCleanups().finally(() => process.exit(130));
});

let code = 1;
try {
  code = await main();
} catch (e) {
  process.stderr.write(`${logLine('ERROR', { is_panic: false, message: `schema-engine (wasm shim): ${e?.stack ?? e}` })}\n`);
} finally {
  await runCleanups();
}
// Pools and sockets may linger; the protocol is over.
process.exit(code);
