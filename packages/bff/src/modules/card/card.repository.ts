// Small Kysely functions over bound cards and SMS challenges; `db` first (a transaction works too).
import type { Db } from '../../db/database.ts';
import { insertOnce } from '../../db/insert-once.ts';
import type { BoundCard, SmsChallenge } from './card.table.ts';

export type { BoundCard, SmsChallenge } from './card.table.ts';

/** The user's cards (not removed), newest first. */
export function listUserCards(db: Db, userId: string): Promise<BoundCard[]> {
  return db
    .selectFrom('bound_cards')
    .selectAll()
    .where('user_id', '=', userId)
    .where('removed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * One card of this user that is not removed, or undefined (another user's card id looks like a missing one).
 * `lock` (MySQL) serializes paying with a card and removing it.
 */
export function findUserCard(db: Db, userId: string, cardId: string, lock = false): Promise<BoundCard | undefined> {
  return db
    .selectFrom('bound_cards')
    .selectAll()
    .where('id', '=', cardId)
    .where('user_id', '=', userId)
    .where('removed_at', 'is', null)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

/** One card of this user, removed or not (payment records name the card that paid). */
export function findCardEverBound(db: Db, userId: string, cardId: string): Promise<BoundCard | undefined> {
  return db.selectFrom('bound_cards').selectAll().where('id', '=', cardId).where('user_id', '=', userId).executeTakeFirst();
}

/** The user's binding of the card with this fingerprint, if any (removed ones too: binding again restores it). */
export function findCardByFingerprint(db: Db, userId: string, fingerprint: string): Promise<BoundCard | undefined> {
  return db.selectFrom('bound_cards').selectAll().where('user_id', '=', userId).where('fingerprint', '=', fingerprint).executeTakeFirst();
}

/** Inserts a card row; false when the user already bound the same card (a concurrent request). */
export function insertCard(db: Db, card: BoundCard): Promise<boolean> {
  return insertOnce(db, 'bound_cards', card);
}

/** Brings a removed card back with its newly signed agreement; false when it was not removed. */
export async function restoreCard(db: Db, cardId: string, token: string, phoneMasked: string): Promise<boolean> {
  const res = await db
    .updateTable('bound_cards')
    .set({ removed_at: null, token, phone_masked: phoneMasked })
    .where('id', '=', cardId)
    .where('removed_at', 'is not', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Removes a card (kept for the records); false when it was already removed. */
export async function markCardRemoved(db: Db, cardId: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('bound_cards')
    .set({ removed_at: now })
    .where('id', '=', cardId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertChallenge(db: Db, challenge: SmsChallenge): Promise<void> {
  await db.insertInto('sms_challenges').values(challenge).execute();
}

/** A challenge of this user for this purpose (another user's id looks like a missing one). */
export function findChallenge(db: Db, userId: string, id: string, purpose: SmsChallenge['purpose']): Promise<SmsChallenge | undefined> {
  return db
    .selectFrom('sms_challenges')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
}

/** How many challenges the user started since `since` (the SMS rate limit). */
export async function countChallengesSince(db: Db, userId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('sms_challenges')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Counts one try before the code is checked (count first: concurrent guesses cannot exceed `maxTries`); false when
 * the challenge is used, expired or out of tries.
 */
export async function takeChallengeTry(db: Db, id: string, maxTries: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('sms_challenges')
    .set((eb) => ({ tries: eb('tries', '+', 1) }))
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('tries', '<', maxTries)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Uses the challenge up (a right code, or a provider saying it is dead); false when it already was. */
export async function consumeChallenge(db: Db, id: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('sms_challenges')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
