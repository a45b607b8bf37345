// The api_core_v2 insurer tables: recharges (type 1) and deductions (type 2) per insurer code, behind their own
// connection and configurable table names. Insurer quota = Σ type 1 − Σ type 2 (seed 000 §已知).
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/database.ts';
import { newId } from '../../lib/ids.ts';

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

/** Reads and writes the insurer quota records; `db` is the quota connection (often the main database in dev). */
export class QuotaRepository {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table names come from config, so the schema is untyped
  constructor(private readonly db: Kysely<any>, private readonly tables: QuotaTables) {}

  /** Remaining quota of an insurer in fen: recharges minus deductions. */
  async remaining(icCode: string): Promise<number> {
    const rows = (await this.db
      .selectFrom(this.tables.recordTable)
      .select(['type', (eb) => eb.fn.sum<number>('amount').as('total')])
      .where('ic_code', '=', icCode)
      .groupBy('type')
      .execute()) as Array<{ type: number; total: number | string | null }>;
    let total = 0;
    for (const r of rows) {
      const t = Number(r.total ?? 0);
      if (Number(r.type) === QUOTA_RECHARGE) total += t;
      else if (Number(r.type) === QUOTA_DEDUCTION) total -= t;
    }
    return total;
  }

  /** Records a type 2 deduction keyed by `refNo` (the order no.): never twice. Returns false when it already existed. */
  async deduct(icCode: string, amountFen: number, refNo: string, now: number): Promise<boolean> {
    return this.insertRecord(icCode, QUOTA_DEDUCTION, amountFen, refNo, now);
  }

  /** Records a type 1 recharge keyed by `refNo`. */
  async recharge(icCode: string, amountFen: number, refNo: string, now: number): Promise<boolean> {
    return this.insertRecord(icCode, QUOTA_RECHARGE, amountFen, refNo, now);
  }

  async insurerName(icCode: string): Promise<string | null> {
    const row = (await this.db.selectFrom(this.tables.insurerTable).select('name').where('ic_code', '=', icCode).executeTakeFirst()) as
      | { name: string }
      | undefined;
    return row?.name ?? null;
  }

  async upsertInsurer(icCode: string, name: string): Promise<void> {
    if (await this.insurerName(icCode)) return;
    await this.db.insertInto(this.tables.insurerTable).values({ ic_code: icCode, name }).execute();
  }

  /** Every insurer of the api_core_v2 table. */
  async insurers(): Promise<Array<{ ic_code: string; name: string }>> {
    return (await this.db.selectFrom(this.tables.insurerTable).select(['ic_code', 'name']).orderBy('ic_code').execute()) as Array<{ ic_code: string; name: string }>;
  }

  /** The latest records of an insurer (`icCode`), or those of one order/reference (`refNo`), newest first. */
  async records(where: { icCode?: string; refNo?: string }, limit = 20): Promise<QuotaRecord[]> {
    let q = this.db.selectFrom(this.tables.recordTable).select(['id', 'ic_code', 'type', 'amount', 'ref_no', 'created_at']);
    if (where.icCode) q = q.where('ic_code', '=', where.icCode);
    if (where.refNo) q = q.where('ref_no', '=', where.refNo);
    const rows = (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ id: String(r.id), icCode: String(r.ic_code), type: Number(r.type), amountFen: Number(r.amount), refNo: String(r.ref_no), createdAt: Number(r.created_at) }));
  }

  private async insertRecord(icCode: string, type: number, amountFen: number, refNo: string, now: number): Promise<boolean> {
    if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`quota amount must be positive fen: ${amountFen}`);
    try {
      await this.db
        .insertInto(this.tables.recordTable)
        .values({ id: newId('QR', now), ic_code: icCode, type, amount: amountFen, ref_no: refNo, created_at: now })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
}
