/**
 * Small helpers every activity module uses to read and write rows: JSON
 * columns, DATE columns, unique-violation detection, where a region sits, and
 * who may decide a case of a household (death review, prisoner exit).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma } from '../infra/db/client.js';
import { caseDataSchemas, parseColumn, type CaseDataKind } from '../domain/columns.js';

type Tx = Prisma.TransactionClient;

/** A value for a Json column (already plain data). */
export function asJson(value: unknown): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}

/** 'YYYY-MM-DD' for a @db.Date column. */
export function localDateToDb(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/** Prisma's unique-constraint violation (P2002): someone else wrote the row first. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/** The township of a township or village region, and that township's county. */
export async function townshipOf(tx: Tx, regionId: number): Promise<{ townshipId: number; countyId: number | null }> {
  const region = await tx.region.findUniqueOrThrow({ where: { id: regionId } });
  if (region.level === 'TOWNSHIP') return { townshipId: region.id, countyId: region.parentId };
  if (region.level === 'VILLAGE' && region.parentId !== null) {
    const township = await tx.region.findUniqueOrThrow({ where: { id: region.parentId } });
    return { townshipId: township.id, countyId: township.parentId };
  }
  throw ApplicationFailure.nonRetryable(`户籍所在地区（${region.name}）不是乡镇或村`, 'BadRegion');
}

/** Roles that may decide a household's case: the township's own and the county's. */
export const TOWNSHIP_DECIDERS = ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'] as const;
export const COUNTY_DECIDERS = ['SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER'] as const;

/**
 * The data of a Case (or Application) row, checked by its kind's schema
 * (domain/columns.ts): a malformed row fails naming the table, row and field.
 * `T` is the activity's fuller interface of the same record.
 */
export function caseDataOf<T>(kind: CaseDataKind, row: { id: number; data: unknown }, table: 'Case' | 'Application' = 'Case'): T {
  return parseColumn(caseDataSchemas[kind], `${table}.data`, row.data, `#${row.id}`) as T;
}
