// Frozen: callback allow-list entries now name a port (`host` = the default port, `host:port`, `host:*`). The demo
// partner's `localhost` / `127.0.0.1` meant "any port" (its page listens on 5180), so it becomes `host:*`.
import type { Kysely } from 'kysely';

const BEFORE = JSON.stringify(['localhost', '127.0.0.1']);
const AFTER = JSON.stringify(['localhost:*', '127.0.0.1:*']);

export async function up(db: Kysely<any>): Promise<void> {
  await db.updateTable('partners').set({ callback_hosts: AFTER }).where('is_demo', '=', 1).where('callback_hosts', '=', BEFORE).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('partners').set({ callback_hosts: BEFORE }).where('is_demo', '=', 1).where('callback_hosts', '=', AFTER).execute();
}
