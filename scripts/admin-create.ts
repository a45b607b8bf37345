// `pnpm admin:create --username <name> [--role operator|finance|viewer]` with the password in ADMIN_PASSWORD (or
// `--password`): creates a real admin in the configured database (DATABASE_URL), migrating it first. Prompt-free, so
// it runs in a deploy pipeline. Refuses a short password, the demo password, and an existing username.
import { parseArgs } from 'node:util';
import { ADMIN_ROLES, type AdminRole } from '../packages/shared/src/schemas/admin.ts';
import { connect, migrate } from '../packages/bff/src/db/database.ts';
import { loadConfig } from '../packages/bff/src/env.ts';
import { hashSecret } from '../packages/bff/src/lib/secrets.ts';
import { findAdmin, insertAdmin } from '../packages/bff/src/modules/admin/admin.repository.ts';

const { values } = parseArgs({
  options: { username: { type: 'string' }, password: { type: 'string' }, role: { type: 'string', default: 'finance' } },
});
const username = values.username ?? process.env.ADMIN_USERNAME;
const password = values.password ?? process.env.ADMIN_PASSWORD;
const role = values.role as AdminRole;

function die(message: string): never {
  console.error(`admin:create: ${message}`);
  process.exit(1);
}

if (!username || !/^[A-Za-z0-9_.-]{3,64}$/.test(username)) die('--username (3–64 of A-Z a-z 0-9 _ . -) is required');
if (!password) die('the password is required: ADMIN_PASSWORD=… (preferred, stays out of the shell history) or --password');
if (password.length < 12 || password === 'admin123') die('the password must have at least 12 characters');
if (!ADMIN_ROLES.includes(role)) die(`--role must be one of ${ADMIN_ROLES.join(', ')}`);

const config = loadConfig();
const conn = connect(config.databaseUrl);
try {
  await migrate(conn.db);
  if (await findAdmin(conn.db, username)) die(`admin ${username} already exists`);
  await insertAdmin(conn.db, { username, passwordHash: await hashSecret(password), role, now: Date.now() });
  console.log(`admin:create: created ${role} ${username} in ${conn.dialect} database`);
} finally {
  await conn.destroy();
}
