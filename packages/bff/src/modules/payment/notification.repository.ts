// Provider notifications as received (Payzero status notifies, Guanaitong notifies): one row per dedupe key.
import { isUniqueViolation, type Db } from '../../db/database.ts';
import type { ProviderNotificationTable } from '../../db/tables.ts';
import { newId, type RandomSource } from '../../lib/ids.ts';

export interface NotificationInput {
  provider: ProviderNotificationTable['provider'];
  /** One row per key: a resend or replay of the same notification is not recorded twice. */
  dedupeKey: string;
  attemptId: string | null;
  payload: unknown;
  now: number;
  random?: RandomSource;
}

/** Keeps a notification for the record; returns false when one with the same key was already kept (a repeat). */
export async function recordNotification(db: Db, input: NotificationInput): Promise<boolean> {
  try {
    await db
      .insertInto('provider_notifications')
      .values({ id: newId('PN', input.now, input.random), provider: input.provider, dedupe_key: input.dedupeKey, attempt_id: input.attemptId, payload: JSON.stringify(input.payload), created_at: input.now })
      .execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
