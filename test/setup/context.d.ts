export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** The database every test uses: real PostgreSQL (DATABASE_URL) or PGlite. */
    databaseUrl: string;
    /** 'postgresql' or 'pglite'. */
    databaseKind: string;
    /** PostgreSQL: the migrated template each test file copies into a database of its own ('' on PGlite). */
    databaseTemplate: string;
    /** PGlite: the endpoint that serves each test file a copy of the migrated database ('' on PostgreSQL). */
    pgliteFileDatabases: string;
    /** host:port of the Temporal dev server (Temporal CLI) started for this run. */
    temporalDevAddress: string;
    /** host:port of the Java time-skipping test server started for this run. */
    temporalTimeSkippingAddress: string;
    /** The time-skipping test server executable: each workflow test file starts its own. */
    temporalTestServerPath: string;
    /** Path of the workflow bundle built once for this run. */
    workflowBundlePath: string;
  }
}
