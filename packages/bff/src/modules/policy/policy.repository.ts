// Small Kysely functions over policies; `db` first (a transaction works too).
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Policy } from './policy.table.ts';

export function findPolicy(db: Db, policyNo: string): Promise<Policy | undefined> {
  return db.selectFrom('policies').selectAll().where('policy_no', '=', policyNo).executeTakeFirst();
}

/** A user's active policies in force on `today` (YYYY-MM-DD) with coverage left. */
export function validPoliciesOf(db: Db, userId: string, today: string): Promise<Policy[]> {
  return db
    .selectFrom('policies')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .where('valid_from', '<=', today)
    .where('valid_to', '>=', today)
    .where('coverage_left_fen', '>', 0)
    .orderBy('policy_no')
    .execute();
}

/** Takes `amountFen` of the policy's coverage; false when less is left (a concurrent order took it). */
export async function reserveCoverage(db: Db, policyNo: string, amountFen: number): Promise<boolean> {
  const res = await db
    .updateTable('policies')
    .set({ coverage_left_fen: sql<number>`coverage_left_fen - ${amountFen}` })
    .where('policy_no', '=', policyNo)
    .where('coverage_left_fen', '>=', amountFen)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Gives reserved coverage back (the order closed unpaid). */
export async function releaseCoverage(db: Db, policyNo: string, amountFen: number): Promise<void> {
  await db.updateTable('policies').set({ coverage_left_fen: sql<number>`coverage_left_fen + ${amountFen}` }).where('policy_no', '=', policyNo).execute();
}
