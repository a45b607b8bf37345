// Admin users and the append-only audit log.
export interface AdminUserTable {
  username: string;
  password_hash: string;
  is_demo: number;
  created_at: number;
}

export interface AuditLogTable {
  id: string;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
  created_at: number;
}
