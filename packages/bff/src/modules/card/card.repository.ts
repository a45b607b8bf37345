// Small Kysely functions over bound cards; `db` first (a transaction works too).
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import type { BoundCard } from './card.table.ts';

export type { BoundCard } from './card.table.ts';

/** The user's cards, newest first. */
export function listUserCards(db: Db, userId: string): Promise<BoundCard[]> {
  return db.selectFrom('bound_cards').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

/** One card of this user, or undefined (another user's card id looks like a missing one). */
export function findUserCard(db: Db, userId: string, cardId: string): Promise<BoundCard | undefined> {
  return db.selectFrom('bound_cards').selectAll().where('id', '=', cardId).where('user_id', '=', userId).executeTakeFirst();
}

/** The user's binding of the card with this fingerprint, if any. */
export function findCardByFingerprint(db: Db, userId: string, fingerprint: string): Promise<BoundCard | undefined> {
  return db.selectFrom('bound_cards').selectAll().where('user_id', '=', userId).where('fingerprint', '=', fingerprint).executeTakeFirst();
}

/** Inserts a card row; false when the user already bound the same card (a concurrent request). */
export function insertCard(db: Db, card: BoundCard): Promise<boolean> {
  return insertOnce(db, 'bound_cards', card);
}
