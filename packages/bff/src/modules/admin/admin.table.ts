// Admin users (roles), their server-side sessions, sign-in attempts, and the append-only audit log.
import type { Selectable } from 'kysely';

export type AdminRole = 'operator' | 'finance' | 'viewer';

export interface AdminUserTable {
  username: string;
  password_hash: string;
  is_demo: number;
  role: AdminRole;
  disabled_at: number | null;
  created_at: number;
}

/** A signed-in console: the token itself is never stored, only its SHA-256. */
export interface AdminSessionTable {
  token_hash: string;
  username: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: string;
  actor: string;
  role: AdminRole | null;
  action: string;
  target: string | null;
  /** A free-text note (a reason, a resolution), when the action has one. */
  detail: string | null;
  before_json: string | null;
  after_json: string | null;
  request_id: string | null;
  created_at: number;
}

export type AdminUser = Selectable<AdminUserTable>;
export type AuditRow = Selectable<AuditLogTable>;
