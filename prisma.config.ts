// Prisma CLI configuration (Prisma 7).
//
// The CLI wants its native `schema-engine` binary for every command and cannot download it on machines
// without internet access; scripts/prisma-schema-engine.mjs stands in for it (the official wasm build of
// the same engine, reaching PostgreSQL through @prisma/adapter-pg). `??=`: a real engine configured
// through PRISMA_SCHEMA_ENGINE_BINARY still wins.
//
// DATABASE_URL is read without `env()`, which would make every command (`prisma generate` included) fail
// when it is unset; commands that need a database say so themselves.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL('./scripts/prisma-schema-engine.mjs', import.meta.url));

const url = process.env.DATABASE_URL;
const shadowDatabaseUrl = process.env.SHADOW_DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
  },
  datasource: {
    ...(url ? { url } : {}),
    ...(shadowDatabaseUrl ? { shadowDatabaseUrl } : {}),
  },
});
