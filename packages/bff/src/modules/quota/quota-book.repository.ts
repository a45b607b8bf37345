// The quota book's rows in OUR database: the running total per insurer (advanced by a conditional update on its
// watermark, so several instances never add a segment twice) and the threshold levels with their armed state.
import { sql, type Kysely } from 'kysely';
import { compiled } from '../../db/compiled-query.ts';
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import type { Database } from '../../db/tables.ts';
import type { QuotaThresholdTable } from './quota.table.ts';

export interface QuotaTotal {
  settledFen: number;
  watermarkAt: number;
}

/** Before every record: created_at is a non-negative Unix ms. */
export const BEFORE_ALL = -1;

const totalRow = compiled((db, p: { icCode: string }) =>
  db.selectFrom('quota_totals').select(['settled_fen', 'watermark_at']).where('ic_code', '=', p.icCode),
);

export async function findTotal(db: Db, icCode: string): Promise<QuotaTotal | null> {
  const row = await totalRow.first(db, { icCode });
  return row ? { settledFen: Number(row.settled_fen), watermarkAt: Number(row.watermark_at) } : null;
}

/** The insurer's total, created empty (watermark before every record) on first use. */
export async function totalOf(db: Kysely<Database>, icCode: string, now: number): Promise<QuotaTotal> {
  const found = await findTotal(db, icCode);
  if (found) return found;
  await insertOnce(db, 'quota_totals', { ic_code: icCode, settled_fen: 0, watermark_at: BEFORE_ALL, recounted_at: null, updated_at: now });
  return { settledFen: 0, watermarkAt: BEFORE_ALL };
}

/** Adds `deltaFen` and moves the watermark from `from` to `to`, only if nobody moved it meanwhile. */
export async function advanceTotal(db: Db, icCode: string, from: QuotaTotal, to: number, deltaFen: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('quota_totals')
    .set({ settled_fen: sql<number>`settled_fen + ${deltaFen}`, watermark_at: to, updated_at: now })
    .where('ic_code', '=', icCode)
    .where('watermark_at', '=', from.watermarkAt)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Replaces a settled total the full recount found wrong (only if the row is still the one that was checked). */
export async function correctTotal(db: Db, icCode: string, checked: QuotaTotal, actualFen: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('quota_totals')
    .set({ settled_fen: actualFen, recounted_at: now, updated_at: now })
    .where('ic_code', '=', icCode)
    .where('watermark_at', '=', checked.watermarkAt)
    .where('settled_fen', '=', checked.settledFen)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function markRecounted(db: Db, icCode: string, now: number): Promise<void> {
  await db.updateTable('quota_totals').set({ recounted_at: now }).where('ic_code', '=', icCode).execute();
}

export function trackedInsurers(db: Db): Promise<string[]> {
  return db
    .selectFrom('quota_totals')
    .select('ic_code')
    .orderBy('ic_code')
    .execute()
    .then((rows) => rows.map((r) => r.ic_code));
}

export type Level = 'warning' | 'critical';

// Read after every direct-pay payment (the alert levels): compiled once per dialect (db/compiled-query.ts).
const thresholdsOf = compiled((db, p: { icCode: string }) => db.selectFrom('quota_thresholds').selectAll().where('ic_code', '=', p.icCode));

export function findThresholds(db: Db, icCode: string): Promise<QuotaThresholdTable | undefined> {
  return thresholdsOf.first(db, { icCode });
}

export function allThresholds(db: Db): Promise<QuotaThresholdTable[]> {
  return db.selectFrom('quota_thresholds').selectAll().orderBy('ic_code').execute();
}

/** Sets (or replaces) an insurer's levels; a new row starts armed. */
export async function setThresholds(db: Db, icCode: string, warningFen: number, criticalFen: number, now: number): Promise<void> {
  const created = await insertOnce(db, 'quota_thresholds', {
    ic_code: icCode,
    warning_fen: warningFen,
    critical_fen: criticalFen,
    warning_armed: 1,
    critical_armed: 1,
    warning_seq: 0,
    critical_seq: 0,
    updated_at: now,
  });
  if (!created)
    await db
      .updateTable('quota_thresholds')
      .set({ warning_fen: warningFen, critical_fen: criticalFen, updated_at: now })
      .where('ic_code', '=', icCode)
      .execute();
}

/** Disarms a level for crossing `seq` (true for the one caller that wins: it raises the alert). */
export async function disarm(db: Db, icCode: string, level: Level, seq: number, now: number): Promise<boolean> {
  const armed = level === 'warning' ? 'warning_armed' : 'critical_armed';
  const seqCol = level === 'warning' ? 'warning_seq' : 'critical_seq';
  const res = await db
    .updateTable('quota_thresholds')
    .set({ [armed]: 0, updated_at: now })
    .where('ic_code', '=', icCode)
    .where(armed, '=', 1)
    .where(seqCol, '=', seq)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Re-arms a level (the quota is back above it: a recharge) and counts the next crossing. */
export async function rearm(db: Db, icCode: string, level: Level, seq: number, now: number): Promise<boolean> {
  const armed = level === 'warning' ? 'warning_armed' : 'critical_armed';
  const seqCol = level === 'warning' ? 'warning_seq' : 'critical_seq';
  const res = await db
    .updateTable('quota_thresholds')
    .set({ [armed]: 1, [seqCol]: seq + 1, updated_at: now })
    .where('ic_code', '=', icCode)
    .where(armed, '=', 0)
    .where(seqCol, '=', seq)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
