// The api_core_v2 record shapes and the names around them, shared by the quota repository and its readers.
import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/database.ts';
import type { Database } from '../../db/tables.ts';
import type { Clock } from '../../lib/clock.ts';

export const QUOTA_RECHARGE = 1;
export const QUOTA_DEDUCTION = 2;

export interface QuotaRecord {
  id: string;
  icCode: string;
  /** 1 recharge, 2 deduction. */
  type: number;
  amountFen: number;
  refNo: string;
  createdAt: number;
}

export interface QuotaTables {
  insurerTable: string;
  recordTable: string;
}

export interface QuotaBookOptions {
  /** Our database, where the running totals and the ledger live. */
  ours: Kysely<Database>;
  clock: Clock;
  /** Records younger than this may still be committing out of order: they are always summed, never settled. */
  settleLagMs: number;
  /** The quota connection's dialect: the tail reads name the (ic_code, created_at) index, which the planners of
   * both would otherwise trade for (ic_code, type) and scan the insurer's whole history. */
  dialect: Dialect;
  /** The api_core_v2 tables are in our database (one connection): settlement may deduct in the payment's commit. */
  shared?: boolean;
  /** How long the fast read's snapshot of what the records hold beyond the ledger's mirror lasts
   * (QUOTA_FOREIGN_REFRESH_MS); 0 or absent: every read sums the tail. */
  foreignRefreshMs?: number;
}

export interface Recount {
  /** What the book said for the records up to the watermark. */
  bookFen: number;
  /** The full sum of those records, read now. */
  recordsFen: number;
  watermarkAt: number;
  corrected: boolean;
}

export function toRecord(r: Record<string, unknown>): QuotaRecord {
  return {
    id: String(r.id),
    icCode: String(r.ic_code),
    type: Number(r.type),
    amountFen: Number(r.amount),
    refNo: String(r.ref_no),
    createdAt: Number(r.created_at),
  };
}

/** The ledger key mirroring a type 1 record (unique per ref no., as the record is). */
export function mirrorKey(refNo: string): string {
  return `quota:recharge:${refNo}`;
}
