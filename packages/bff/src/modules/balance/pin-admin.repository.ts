// The console's view of wallet users and their PIN state, and the PIN unlock; `db` first.
import type { Db } from '../../db/database.ts';

export interface UserPinRow {
  id: string;
  name: string;
  pin_failed: number;
  pin_locked_at: number | null;
  claim_nos: string;
}

/** Users matching a name, id or claim no. (all when `q` is empty); `lockedOnly` keeps locked PINs. */
export async function listUsers(
  db: Db,
  q: string | undefined,
  lockedOnly: boolean,
  limit: number,
  offset: number,
): Promise<{ rows: UserPinRow[]; total: number }> {
  let base = db.selectFrom('users');
  if (q)
    base = base.where((eb) =>
      eb.or([
        eb('users.id', '=', q),
        eb('users.name', 'like', `%${q}%`),
        eb.exists(
          eb.selectFrom('claims').select('claims.claim_no').whereRef('claims.user_id', '=', 'users.id').where('claims.claim_no', '=', q),
        ),
      ]),
    );
  if (lockedOnly) base = base.where('users.pin_locked_at', 'is not', null);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const users = await base
    .select(['users.id', 'users.name', 'users.pin_failed', 'users.pin_locked_at'])
    .orderBy('users.id')
    .limit(limit)
    .offset(offset)
    .execute();
  const ids = users.map((u) => u.id);
  const claims = ids.length ? await db.selectFrom('claims').select(['user_id', 'claim_no']).where('user_id', 'in', ids).execute() : [];
  const rows = users.map((u) => ({
    ...u,
    pin_failed: Number(u.pin_failed),
    pin_locked_at: u.pin_locked_at === null ? null : Number(u.pin_locked_at),
    claim_nos: claims
      .filter((c) => c.user_id === u.id)
      .map((c) => c.claim_no)
      .join(','),
  }));
  return { rows, total: Number(total?.n ?? 0) };
}

export function userPin(db: Db, userId: string): Promise<{ id: string; pin_failed: number; pin_locked_at: number | null } | undefined> {
  return db.selectFrom('users').select(['id', 'pin_failed', 'pin_locked_at']).where('id', '=', userId).executeTakeFirst();
}

/** Unlocks a PIN: resets pin_failed and pin_locked_at (nothing else about the PIN changes). */
export async function unlockPin(db: Db, userId: string): Promise<void> {
  await db.updateTable('users').set({ pin_failed: 0, pin_locked_at: null }).where('id', '=', userId).execute();
}
