// Small Kysely functions over the admin tables (users, sessions, audit log, insurer warning levels).
import type { Db } from '../../db/database.ts';
import type { AdminRole, AdminUser, AuditLogTable, AuditRow } from './admin.table.ts';

export function findAdmin(db: Db, username: string): Promise<AdminUser | undefined> {
  return db.selectFrom('admin_users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function insertAdmin(db: Db, row: { username: string; passwordHash: string; role: AdminRole; now: number }): Promise<void> {
  await db
    .insertInto('admin_users')
    .values({ username: row.username, password_hash: row.passwordHash, role: row.role, is_demo: 0, disabled_at: null, created_at: row.now })
    .execute();
}

/** True when the demo admin is in this database (production refuses to start then). */
export async function hasDemoAdmin(db: Db): Promise<boolean> {
  return (await db.selectFrom('admin_users').select('username').where('is_demo', '=', 1).executeTakeFirst()) !== undefined;
}

export async function insertSession(db: Db, s: { tokenHash: string; username: string; now: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto('admin_sessions')
    .values({
      token_hash: s.tokenHash,
      username: s.username,
      created_at: s.now,
      last_seen_at: s.now,
      expires_at: s.expiresAt,
      revoked_at: null,
    })
    .execute();
}

/** The live session of a token hash with its user; undefined when unknown, revoked, expired or idle too long. */
export function findLiveSession(db: Db, tokenHash: string, now: number, idleMs: number) {
  return db
    .selectFrom('admin_sessions')
    .innerJoin('admin_users', 'admin_users.username', 'admin_sessions.username')
    .select([
      'admin_sessions.token_hash',
      'admin_sessions.username',
      'admin_sessions.expires_at',
      'admin_sessions.last_seen_at',
      'admin_users.role',
      'admin_users.disabled_at',
    ])
    .where('admin_sessions.token_hash', '=', tokenHash)
    .where('admin_sessions.revoked_at', 'is', null)
    .where('admin_sessions.expires_at', '>', now)
    .where('admin_sessions.last_seen_at', '>', now - idleMs)
    .where('admin_users.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('admin_sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

export async function revokeSession(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('admin_sessions')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertAudit(db: Db, row: AuditLogTable): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: number;
  to?: number;
}

export async function listAudit(db: Db, f: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
  let q = db.selectFrom('audit_log');
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.target) q = q.where('target', 'like', `%${f.target}%`);
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('created_at', '<', f.to);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return { rows, total: Number(total?.n ?? 0) };
}
