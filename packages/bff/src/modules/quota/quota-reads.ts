// The plain reads of the api_core_v2 tables (the insurers, an insurer's or an order's records, the seed's full sum)
// for the console, reconciliation and the benchmark; the quota book (quota.repository.ts) builds on them.
import type { Kysely } from 'kysely';
import { toRecord, QUOTA_DEDUCTION, QUOTA_RECHARGE, type QuotaRecord, type QuotaTables } from './quota-records.ts';

export class QuotaRecordReads {
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table names come from config, so the schema is untyped
    protected readonly db: Kysely<any>,
    protected readonly tables: QuotaTables,
  ) {}

  /** The records of these ref nos. (orders' deductions, recharges), for reconciliation a page at a time. */
  async recordsByRefs(refNos: string[]): Promise<QuotaRecord[]> {
    if (!refNos.length) return [];
    const rows = (await this.db.selectFrom(this.tables.recordTable).selectAll().where('ref_no', 'in', refNos).execute()) as Array<
      Record<string, unknown>
    >;
    return rows.map(toRecord);
  }

  /** The seed's rule read the slow way (the plain SUM per type over all records): reconciliation and the benchmark. */
  async fullSum(icCode: string): Promise<number> {
    const rows = (await this.db
      .selectFrom(this.tables.recordTable)
      .select(['type', (eb) => eb.fn.sum<number>('amount').as('total')])
      .where('ic_code', '=', icCode)
      .groupBy('type')
      .execute()) as Array<{ type: number; total: number | string | null }>;
    return rows.reduce(
      (t, r) => t + (Number(r.type) === QUOTA_RECHARGE ? 1 : Number(r.type) === QUOTA_DEDUCTION ? -1 : 0) * Number(r.total ?? 0),
      0,
    );
  }

  /** Every insurer code in the insurer table. */
  async insurerCodes(): Promise<string[]> {
    const rows = (await this.db.selectFrom(this.tables.insurerTable).select('ic_code').orderBy('ic_code').execute()) as Array<{
      ic_code: string;
    }>;
    return rows.map((r) => r.ic_code);
  }

  async insurerName(icCode: string): Promise<string | null> {
    const row = (await this.db.selectFrom(this.tables.insurerTable).select('name').where('ic_code', '=', icCode).executeTakeFirst()) as
      { name: string } | undefined;
    return row?.name ?? null;
  }

  async upsertInsurer(icCode: string, name: string): Promise<void> {
    if (await this.insurerName(icCode)) return;
    await this.db.insertInto(this.tables.insurerTable).values({ ic_code: icCode, name }).execute();
  }

  /** Every insurer of the api_core_v2 table. */
  async insurers(): Promise<Array<{ ic_code: string; name: string }>> {
    return (await this.db.selectFrom(this.tables.insurerTable).select(['ic_code', 'name']).orderBy('ic_code').execute()) as Array<{
      ic_code: string;
      name: string;
    }>;
  }

  /** The latest records of an insurer (`icCode`), or those of one order/reference (`refNo`), newest first. */
  async records(where: { icCode?: string; refNo?: string }, limit = 20): Promise<QuotaRecord[]> {
    let q = this.db.selectFrom(this.tables.recordTable).select(['id', 'ic_code', 'type', 'amount', 'ref_no', 'created_at']);
    if (where.icCode) q = q.where('ic_code', '=', where.icCode);
    if (where.refNo) q = q.where('ref_no', '=', where.refNo);
    const rows = (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()) as Array<Record<string, unknown>>;
    return rows.map(toRecord);
  }
}
