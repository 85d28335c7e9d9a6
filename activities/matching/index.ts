/** Cross-matching (数据比对): the SQL, the run, and the store of findings (the Finding table). */
export * from './run.js';
export { compileSql, kindStatement, type CompiledSql, type LineRow } from './sql.js';
