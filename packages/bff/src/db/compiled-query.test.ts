// Compiled statements (db/compiled-query.ts): a cached query runs with each call's own values, in the caller's
// transaction, with the SQL Kysely would build for the same input on that dialect; shapes that depend on values are
// refused.
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../testing/harness.ts';
import { compiled, compiledInsert, compiledVariants } from './compiled-query.ts';
import { inTransaction, type Db } from './database.ts';
import type { Database } from './tables.ts';

const insertAccount = compiledInsert('ledger_accounts', {
  id: true,
  book: true,
  kind: true,
  allow_negative: true,
  balance_fen: true,
  debits_pending_fen: true,
  credits_pending_fen: true,
  created_at: true,
  updated_at: true,
});
const account = (id: string, balance: number, now: number) => ({
  id,
  book: 'cash' as const,
  kind: 'merchant',
  allow_negative: 0,
  balance_fen: balance,
  debits_pending_fen: 0,
  credits_pending_fen: 0,
  created_at: now,
  updated_at: now,
});

// Parameters out of their declaration order, one used twice, constants between them.
const build = (db: Kysely<Database>, p: { amount: number; id: string; now: number }) =>
  db
    .updateTable('ledger_accounts')
    .set({ balance_fen: sql<number>`balance_fen + ${p.amount}`, updated_at: p.now })
    .where('kind', '=', 'merchant')
    .where('id', '=', p.id)
    .where(sql<number>`balance_fen + ${p.amount}`, '>=', 0);
const credit = compiled(build);
const byId = compiled((db, p: { id: string }) =>
  db.selectFrom('ledger_accounts').select(['id', 'balance_fen', 'updated_at']).where('book', '=', 'cash').where('id', '=', p.id),
);

const row = (db: Db, id: string) => byId.first(db, { id });

describeEachDatabase('compiled statements', (get) => {
  it('runs the cached statement with each call’s own values: two inputs, their own rows', async () => {
    const { deps, clock } = get();
    const now = clock.now();
    await insertAccount.execute(deps.db, account('merchant:cq-a', 100, now));
    await insertAccount.execute(deps.db, account('merchant:cq-b', 200, now));
    expect(await row(deps.db, 'merchant:cq-a')).toEqual({ id: 'merchant:cq-a', balance_fen: 100, updated_at: now });
    expect(await row(deps.db, 'merchant:cq-b')).toEqual({ id: 'merchant:cq-b', balance_fen: 200, updated_at: now });
    expect(await row(deps.db, 'merchant:cq-none')).toBeUndefined();

    expect(await credit.affected(deps.db, { id: 'merchant:cq-a', amount: 5, now: now + 1 })).toBe(1);
    expect(await credit.affected(deps.db, { id: 'merchant:cq-b', amount: -7, now: now + 2 })).toBe(1);
    // The floor (balance + amount ≥ 0) reads the same value as the SET: refused, nothing changes.
    expect(await credit.affected(deps.db, { id: 'merchant:cq-a', amount: -1000, now: now + 3 })).toBe(0);
    expect(await row(deps.db, 'merchant:cq-a')).toEqual({ id: 'merchant:cq-a', balance_fen: 105, updated_at: now + 1 });
    expect(await row(deps.db, 'merchant:cq-b')).toEqual({ id: 'merchant:cq-b', balance_fen: 193, updated_at: now + 2 });
    await sql`delete from ledger_accounts where id in ('merchant:cq-a', 'merchant:cq-b')`.execute(deps.db);
  });

  it('compiles to the SQL and parameters Kysely builds for the same input on this dialect', async () => {
    const { deps } = get();
    for (const input of [
      { amount: 5, id: 'merchant:x', now: 1 },
      { amount: -3, id: 'merchant:y', now: 2 },
    ]) {
      const plain = build(deps.db, input).compile();
      const cached = credit.compile(deps.db, input);
      expect(cached.sql).toBe(plain.sql);
      expect(cached.parameters).toEqual(plain.parameters);
      expect(cached.parameters).toEqual([input.amount, input.now, 'merchant', input.id, input.amount, 0]);
    }
    expect(credit.compile(deps.db, { amount: 1, id: 'i', now: 0 }).sql).toContain(
      get().db === 'sqlite' ? '"ledger_accounts"' : '`ledger_accounts`',
    );
  });

  it('keeps one compiled form per dialect: SQLite and MySQL side by side, each with its own quoting', async () => {
    const { deps } = get();
    // Compiling needs no connection: the pool never connects here.
    const mysql = new Kysely<Database>({ dialect: new MysqlDialect({ pool: createPool({ uri: 'mysql://nobody@127.0.0.1:9/none' }) }) });
    try {
      const input = { amount: 9, id: 'merchant:z', now: 3 };
      const onMysql = credit.compile(mysql, input);
      expect(onMysql.sql).toBe(build(mysql, input).compile().sql);
      expect(onMysql.sql).toContain('`ledger_accounts`');
      const here = credit.compile(deps.db, input);
      expect(here.sql).toBe(build(deps.db, input).compile().sql);
      expect(here.parameters).toEqual(onMysql.parameters);
    } finally {
      await mysql.destroy();
    }
  });

  it('runs inside the caller’s transaction: rolled back with it', async () => {
    const { deps, clock } = get();
    await expect(
      inTransaction(deps.db, async (trx) => {
        await insertAccount.execute(trx, account('merchant:cq-rollback', 1, clock.now()));
        expect(await row(trx, 'merchant:cq-rollback')).toBeDefined();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await row(deps.db, 'merchant:cq-rollback')).toBeUndefined();
  });

  it('refuses a shape that depends on a value, and a call without a value', async () => {
    const { deps } = get();
    const branching = compiled((db, p: { id: string; withKind: boolean }) =>
      db
        .selectFrom('ledger_accounts')
        .select('id')
        .where('id', '=', p.id)
        .$if(p.withKind, (q) => q.where('kind', '=', 'merchant')),
    );
    await expect(branching.first(deps.db, { id: 'x', withKind: false })).rejects.toThrow(/withKind is not bound/);
    await expect(byId.first(deps.db, {} as { id: string })).rejects.toThrow(/no value for parameter id/);
  });

  it('compiles a variant per shape key: lists of different lengths', async () => {
    const { deps, clock } = get();
    const now = clock.now();
    for (const id of ['merchant:v1', 'merchant:v2', 'merchant:v3']) await insertAccount.execute(deps.db, account(id, 1, now));
    const idsIn = compiledVariants((db, p: Record<string, string>, n: number) =>
      db
        .selectFrom('ledger_accounts')
        .select('id')
        .where(
          'id',
          'in',
          Array.from({ length: n }, (_, i) => p[`id${i}`]!),
        )
        .orderBy('id'),
    );
    expect((await idsIn(1).rows(deps.db, { id0: 'merchant:v2' })).map((r) => r.id)).toEqual(['merchant:v2']);
    expect((await idsIn(2).rows(deps.db, { id0: 'merchant:v3', id1: 'merchant:v1' })).map((r) => r.id)).toEqual([
      'merchant:v1',
      'merchant:v3',
    ]);
    expect((await idsIn(1).rows(deps.db, { id0: 'merchant:v3' })).map((r) => r.id)).toEqual(['merchant:v3']);
    await sql`delete from ledger_accounts where id in ('merchant:v1', 'merchant:v2', 'merchant:v3')`.execute(deps.db);
  });
});
