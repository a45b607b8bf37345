// The api_core_v2 insurer tables: recharges (type 1) and deductions (type 2) per insurer code, behind their own
// connection and configurable table names. Insurer quota = Σ type 1 − Σ type 2 (seed 000 §已知), read at flat cost
// from the quota book (a running total up to a watermark trailing the clock by a settle lag, plus the records after
// it), or faster from the ledger's mirror plus a snapshot (docs/architecture.md, "Insurer quota at flat cost").
import { sql, type Compilable, type Kysely } from 'kysely';
import { compiled } from '../../db/compiled-query.ts';
import { inTransaction, isUniqueViolation, type Db } from '../../db/database.ts';
import type { Database } from '../../db/tables.ts';
import { Accounts, balanceOf, balancesOf, transfer } from '../../ledger/ledger.ts';
import { newId } from '../../lib/ids.ts';
import { QUOTA_DEDUCTION, QUOTA_RECHARGE, mirrorKey, type QuotaBookOptions, type QuotaTables, type Recount } from './quota-records.ts';
export {
  QUOTA_DEDUCTION,
  QUOTA_RECHARGE,
  mirrorKey,
  type QuotaBookOptions,
  type QuotaRecord,
  type QuotaTables,
  type Recount,
} from './quota-records.ts';
import { QuotaRecordReads } from './quota-reads.ts';
import { advanceTotal, BEFORE_ALL, correctTotal, findTotal, markRecounted, totalOf, type QuotaTotal } from './quota-book.repository.ts';

/** Reads and writes the insurer quota records; `db` is the quota connection (often the main database in dev). */
export class QuotaRepository extends QuotaRecordReads {
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table names come from config, so the schema is untyped
    db: Kysely<any>,
    tables: QuotaTables,
    private readonly book: QuotaBookOptions,
  ) {
    super(db, tables);
  }

  /** Every payment's deduction record: compiled once per dialect for this record table (db/compiled-query.ts). */
  private readonly insertRecordRow = compiled(
    (db, p: { id: string; icCode: string; type: number; amountFen: number; refNo: string; now: number }) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the record table's name is configuration
      (db as Kysely<any>).insertInto(this.tables.recordTable).values({
        id: p.id,
        ic_code: p.icCode,
        type: p.type,
        amount: p.amountFen,
        ref_no: p.refNo,
        created_at: p.now,
      }) as Compilable<never>,
  );

  /** Per insurer, what the records held beyond the ledger's mirror (foreign records, unmirrored recharges) at `at`. */
  private readonly foreign = new Map<string, { deltaFen: number; at: number }>();
  private readonly refreshing = new Map<string, Promise<void>>();

  /**
   * Remaining quota of an insurer in fen, at a cost that grows neither with history nor with the payment rate: the
   * ledger's mirror (`insurer_quota:<ic>`, which every payment of every instance moves with its type 2 record) plus
   * what the records held beyond it at the last snapshot (`QUOTA_FOREIGN_REFRESH_MS`, 1 s): our own deductions and
   * recharges count at once, a record another system wrote at most that much later — as if it had committed that
   * much later, which the settle lag allows anyway. With the refresh at 0, {@link remainingExact}.
   */
  async remaining(icCode: string): Promise<number> {
    if ((this.book.foreignRefreshMs ?? 0) <= 0) return this.remainingExact(icCode);
    return (await this.remainingAndHeld(icCode)).remainingFen;
  }

  /** {@link remaining} and what open orders' holds keep on the quota, both from one read of the mirror's row. */
  async remainingAndHeld(icCode: string): Promise<{ remainingFen: number; heldFen: number }> {
    const ttl = this.book.foreignRefreshMs ?? 0;
    const now = this.book.clock.now();
    const known = this.foreign.get(icCode);
    if (ttl > 0 && (!known || now < known.at || now - known.at >= ttl)) await this.refreshOnce(icCode);
    const exactFen = ttl > 0 ? null : await this.remainingExact(icCode);
    const mirror = await balancesOf(this.book.ours, Accounts.insurerQuota(icCode));
    return { remainingFen: exactFen ?? mirror.balanceFen + (this.foreign.get(icCode)?.deltaFen ?? 0), heldFen: mirror.debitsPendingFen };
  }

  /** Recharges minus deductions, exactly as the records stand: the book's total plus the tail's sum (one pass over about one settle lag of records). */
  async remainingExact(icCode: string): Promise<number> {
    const now = this.book.clock.now();
    const total = await this.caughtUp(icCode, now);
    return total.settledFen + (await this.scanAndMirror(icCode, total.watermarkAt, null, now));
  }

  /** One snapshot at a time per insurer: the callers that find it due meanwhile wait for the same one. */
  private refreshOnce(icCode: string): Promise<void> {
    let p = this.refreshing.get(icCode);
    if (!p) {
      p = this.refresh(icCode).finally(() => this.refreshing.delete(icCode));
      this.refreshing.set(icCode, p);
    }
    return p;
  }

  /**
   * The book caught up (its writes, if due, on their own), then the mirror, the total and the tail's sum, in one
   * repeatable-read transaction when they share a database: the difference is what the mirror lacks. Recharges the
   * mirror lacks are mirrored and the snapshot taken again, so the difference never counts them twice.
   */
  private async refresh(icCode: string): Promise<void> {
    const now = this.book.clock.now();
    await this.caughtUp(icCode, now);
    for (let tries = 0; ; tries++) {
      const snap = await this.snapshot(icCode);
      if (tries < 2 && snap.recharges > 0 && (await this.mirrorRecharges(icCode, snap.watermarkAt, null, now)) > 0) continue;
      this.foreign.set(icCode, { deltaFen: snap.recordsFen - snap.mirroredFen, at: now });
      return;
    }
  }

  private async snapshot(icCode: string): Promise<{ recordsFen: number; mirroredFen: number; recharges: number; watermarkAt: number }> {
    // On two databases (no common snapshot) the order matters: the mirror first, then the records. A record commits
    // before its mirror, so a payment the reads straddle is in the records only, and counted again when its mirror
    // lands: until the next snapshot the read is low by it (an alert too many, never one too few).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the record table's name is configuration
    const read = async (ours: Db, records: Kysely<any>) => {
      const mirroredFen = await balanceOf(ours, Accounts.insurerQuota(icCode));
      const total = (await findTotal(ours, icCode)) ?? { settledFen: 0, watermarkAt: BEFORE_ALL };
      const tail = await this.scan(icCode, total.watermarkAt, null, records);
      return { recordsFen: total.settledFen + tail.netFen, mirroredFen, recharges: tail.recharges, watermarkAt: total.watermarkAt };
    };
    if (!this.sharesDatabase) return read(this.book.ours, this.db);
    const tx = this.book.ours.transaction();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    return (this.book.dialect === 'mysql' ? tx.setIsolationLevel('repeatable read') : tx).execute((trx) => read(trx, trx as Kysely<any>));
  }

  /** Records a type 2 deduction keyed by `refNo` (the order no.): never twice. Returns false when it already existed. */
  async deduct(icCode: string, amountFen: number, refNo: string, now: number): Promise<boolean> {
    // Its mirror follows in the recorded step's transaction; a snapshot from before both stays right.
    return this.insertRecord(icCode, QUOTA_DEDUCTION, amountFen, refNo, now);
  }

  /** True when the quota tables share our database and connection (settlement may then run in one transaction). */
  get sharesDatabase(): boolean {
    return this.book.shared === true;
  }

  /** {@link deduct} in the caller's transaction on our database (only when {@link sharesDatabase}): one commit. */
  async deductIn(trx: Db, icCode: string, amountFen: number, refNo: string, now: number): Promise<boolean> {
    if (!this.sharesDatabase) throw new Error('the quota tables are on their own connection: deduct there');
    return this.insertRecord(icCode, QUOTA_DEDUCTION, amountFen, refNo, now, trx as unknown as Kysely<Database>);
  }

  /**
   * Records a type 1 recharge keyed by `refNo` (never twice) and mirrors it in the ledger's quota book
   * (`quota:recharge:<refNo>`, the same key a recharge written by another system gets when the book first sees it).
   */
  async recharge(icCode: string, amountFen: number, refNo: string, now: number): Promise<boolean> {
    const created = await this.insertRecord(icCode, QUOTA_RECHARGE, amountFen, refNo, now);
    // A retry after a crash between record and mirror mirrors the record as stored, never the retry's amount.
    const stored = created ? { icCode, amountFen } : (await this.recordsByRefs([refNo])).find((r) => r.type === QUOTA_RECHARGE);
    if (stored) await this.mirror(stored.icCode, stored.amountFen, refNo, now);
    this.foreign.delete(icCode); // record and mirror were two steps: the next read takes a new snapshot
    return created;
  }

  /** Σ of type 2 records of the insurer since `since` (the recent burn rate). */
  async deductedSince(icCode: string, since: number): Promise<number> {
    const { rows } = await sql<{
      total: number | string | null;
    }>`select sum(amount) as total from ${this.from()} where ${this.range(icCode, since, null)} and type = ${QUOTA_DEDUCTION}`.execute(
      this.db,
    );
    return Number(rows[0]?.total ?? 0);
  }

  /**
   * The periodic check: recounts every record up to the watermark; a difference (a record that committed more than
   * the settle lag late, or one changed in place) is corrected and reported, and late recharges are mirrored.
   */
  async recount(icCode: string): Promise<Recount> {
    const now = this.book.clock.now();
    const total = await this.caughtUp(icCode, now);
    const { netFen: recordsFen, recharges } = await this.scan(icCode, BEFORE_ALL, total.watermarkAt);
    let corrected = false;
    if (recordsFen !== total.settledFen) {
      corrected = await correctTotal(this.book.ours, icCode, total, recordsFen, now);
      this.foreign.delete(icCode); // the total under the snapshot changed
    } else await markRecounted(this.book.ours, icCode, now);
    if (recharges > 0) await this.mirrorRecharges(icCode, BEFORE_ALL, total.watermarkAt, now);
    return { bookFen: total.settledFen, recordsFen, watermarkAt: total.watermarkAt, corrected };
  }

  /** The running total, its watermark moved up to `now − lag` when it trails by more than a tenth of the lag. */
  private async caughtUp(icCode: string, now: number): Promise<QuotaTotal> {
    const target = now - this.book.settleLagMs;
    const step = Math.max(1000, Math.floor(this.book.settleLagMs / 10));
    let total = await totalOf(this.book.ours, icCode, now);
    for (let tries = 0; tries < 3 && total.watermarkAt < target - step; tries++) {
      const delta = await this.scanAndMirror(icCode, total.watermarkAt, target, now);
      if (await advanceTotal(this.book.ours, icCode, total, target, delta, now))
        return { settledFen: total.settledFen + delta, watermarkAt: target };
      // Another instance advanced it meanwhile: read theirs.
      total = (await findTotal(this.book.ours, icCode)) ?? total;
    }
    return total;
  }

  /** `FROM <records>` naming the time index, so a range read costs the range, not the insurer's history. */
  private from() {
    const table = sql.table(this.tables.recordTable);
    const index = sql.id(`${this.tables.recordTable}_ic_created`);
    return this.book.dialect === 'mysql' ? sql`${table} force index (${index})` : sql`${table} indexed by ${index}`;
  }

  private range(icCode: string, after: number, upTo: number | null) {
    return upTo === null
      ? sql`ic_code = ${icCode} and created_at > ${after}`
      : sql`ic_code = ${icCode} and created_at > ${after} and created_at <= ${upTo}`;
  }

  /**
   * One pass over the insurer's records with after < created_at ≤ upTo (no upper bound when null): the net sum
   * (Σ type 1 − Σ type 2) and how many recharges it holds (only then are they read for the
   * ledger's mirror). No GROUP BY, which made SQLite sort the range into a temporary B-tree.
   */
  private async scan(
    icCode: string,
    after: number,
    upTo: number | null,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table names come from config
    db: Kysely<any> = this.db,
  ): Promise<{ netFen: number; recharges: number }> {
    const { rows } = await sql<{
      recharged: number | string | null;
      deducted: number | string | null;
      recharges: number | string | null;
    }>`select sum(case when type = ${QUOTA_RECHARGE} then amount else 0 end) as recharged, sum(case when type = ${QUOTA_DEDUCTION} then amount else 0 end) as deducted, sum(case when type = ${QUOTA_RECHARGE} then 1 else 0 end) as recharges from ${this.from()} where ${this.range(icCode, after, upTo)}`.execute(
      db,
    );
    const r = rows[0];
    return { netFen: Number(r?.recharged ?? 0) - Number(r?.deducted ?? 0), recharges: Number(r?.recharges ?? 0) };
  }

  /** {@link scan}, mirroring the range's recharges into the ledger when it holds any. */
  private async scanAndMirror(icCode: string, after: number, upTo: number | null, now: number): Promise<number> {
    const { netFen, recharges } = await this.scan(icCode, after, upTo);
    if (recharges > 0) await this.mirrorRecharges(icCode, after, upTo, now);
    return netFen;
  }

  /** Mirrors the type 1 records of a time range into the ledger (recharges are rare; each mirror is idempotent by key); how many it mirrored. */
  private async mirrorRecharges(icCode: string, after: number, upTo: number | null, now: number): Promise<number> {
    let mirrored = 0;
    const { rows } = await sql<{
      amount: number | string;
      ref_no: string;
    }>`select amount, ref_no from ${this.from()} where ${this.range(icCode, after, upTo)} and type = ${QUOTA_RECHARGE}`.execute(this.db);
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      const known = new Set(
        (
          await this.book.ours
            .selectFrom('ledger_transfers')
            .select('idempotency_key')
            .where(
              'idempotency_key',
              'in',
              batch.map((r) => mirrorKey(r.ref_no)),
            )
            .execute()
        ).map((r) => r.idempotency_key),
      );
      const missing = batch.filter((r) => !known.has(mirrorKey(r.ref_no)));
      if (missing.length)
        await inTransaction(this.book.ours, async (trx) => {
          for (const r of missing) await this.mirrorIn(trx, icCode, Number(r.amount), r.ref_no, now);
        });
      mirrored += missing.length;
    }
    return mirrored;
  }

  private async mirror(icCode: string, amountFen: number, refNo: string, now: number): Promise<void> {
    await inTransaction(this.book.ours, (trx) => this.mirrorIn(trx, icCode, amountFen, refNo, now));
  }

  private async mirrorIn(trx: Db, icCode: string, amountFen: number, refNo: string, now: number): Promise<void> {
    await transfer(trx, {
      key: mirrorKey(refNo),
      from: Accounts.quotaIssued,
      to: Accounts.insurerQuota(icCode),
      amountFen,
      orderNo: null,
      memo: 'insurer quota recharge (mirror of api_core_v2 type 1)',
      now,
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- table names come from config
  private async insertRecord(icCode: string, type: number, amountFen: number, refNo: string, now: number, db: Kysely<any> = this.db) {
    if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`quota amount must be positive fen: ${amountFen}`);
    try {
      await this.insertRecordRow.execute(db, { id: newId('QR', now), icCode, type, amountFen, refNo, now });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
}
