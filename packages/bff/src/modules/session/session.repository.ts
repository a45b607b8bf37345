// Small Kysely functions over the identity tables (partners, claims, users); `db` first (a transaction works too).
import type { Db } from '../../db/database.ts';
import type { Partner } from './session.table.ts';

export function findPartner(db: Db, partnerId: string): Promise<Partner | undefined> {
  return db.selectFrom('partners').selectAll().where('id', '=', partnerId).executeTakeFirst();
}

/** The claim, issued through this partner, and the name of its user (another partner's claim is not found). */
export function findClaim(db: Db, partnerId: string, claimNo: string): Promise<{ user_id: string; name: string } | undefined> {
  return db
    .selectFrom('claims')
    .innerJoin('users', 'users.id', 'claims.user_id')
    .select(['claims.user_id', 'users.name'])
    .where('claims.claim_no', '=', claimNo)
    .where('claims.partner_id', '=', partnerId)
    .executeTakeFirst();
}

/** True when a demo partner is in this database (production refuses to start then). */
export async function hasDemoPartner(db: Db): Promise<boolean> {
  return (await db.selectFrom('partners').select('id').where('is_demo', '=', 1).executeTakeFirst()) !== undefined;
}
