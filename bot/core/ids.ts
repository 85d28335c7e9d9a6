// Record ids typed or clicked by people: a number that is not a PostgreSQL integer
// (1 … 2147483647) can name no row, and Prisma throws on it instead of finding nothing.

export const MAX_DB_ID = 2_147_483_647;

/** The id a text or number names, or undefined when it cannot be a row id. */
export function dbId(value: string | number | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= MAX_DB_ID ? n : undefined;
}
