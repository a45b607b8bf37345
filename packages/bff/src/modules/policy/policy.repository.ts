// Small Kysely functions over policies; `db` first (a transaction works too). The coverage left is the ledger's
// (policy-coverage.ts): this table keeps the policy's terms and its coverage as issued.
import type { Db } from '../../db/database.ts';
import type { Policy } from './policy.table.ts';

export function findPolicy(db: Db, policyNo: string): Promise<Policy | undefined> {
  return db.selectFrom('policies').selectAll().where('policy_no', '=', policyNo).executeTakeFirst();
}

/** A user's active policies in force on `today` (YYYY-MM-DD); the caller filters by coverage left. */
export function policiesInForce(db: Db, userId: string, today: string): Promise<Policy[]> {
  return db
    .selectFrom('policies')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .where('valid_from', '<=', today)
    .where('valid_to', '>=', today)
    .orderBy('policy_no')
    .execute();
}
