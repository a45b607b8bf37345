// Partner administration (the console): list, create, disable, allow-list, secret rotation; `db` first.
import type { Db } from '../../db/database.ts';
import type { Partner } from './session.table.ts';

export function listPartners(db: Db): Promise<Partner[]> {
  return db.selectFrom('partners').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function insertPartner(
  db: Db,
  p: { id: string; name: string; linkSecret: string; callbackSecret: string; apiSecret: string; hosts: string[]; now: number },
): Promise<void> {
  await db
    .insertInto('partners')
    .values({
      id: p.id,
      name: p.name,
      link_secret: p.linkSecret,
      callback_secret: p.callbackSecret,
      api_secret: p.apiSecret,
      callback_hosts: JSON.stringify(p.hosts),
      is_demo: 0,
      disabled_at: null,
      prev_link_secret: null,
      prev_link_secret_until: null,
      prev_callback_secret: null,
      prev_callback_secret_until: null,
      created_at: p.now,
    })
    .execute();
}

export async function setPartnerDisabled(db: Db, id: string, disabledAt: number | null): Promise<void> {
  await db.updateTable('partners').set({ disabled_at: disabledAt }).where('id', '=', id).execute();
}

export async function setPartnerHosts(db: Db, id: string, hosts: string[]): Promise<void> {
  await db
    .updateTable('partners')
    .set({ callback_hosts: JSON.stringify(hosts) })
    .where('id', '=', id)
    .execute();
}

/** Replaces a secret, keeping the old one accepted until `overlapUntil`. */
export async function rotatePartnerSecret(
  db: Db,
  p: Partner,
  which: 'link' | 'callback' | 'api',
  secret: string,
  overlapUntil: number,
): Promise<void> {
  const set =
    which === 'link'
      ? { link_secret: secret, prev_link_secret: p.link_secret, prev_link_secret_until: overlapUntil }
      : which === 'callback'
        ? { callback_secret: secret, prev_callback_secret: p.callback_secret, prev_callback_secret_until: overlapUntil }
        : { api_secret: secret, prev_api_secret: p.api_secret ?? null, prev_api_secret_until: p.api_secret ? overlapUntil : null };
  await db.updateTable('partners').set(set).where('id', '=', p.id).execute();
}
