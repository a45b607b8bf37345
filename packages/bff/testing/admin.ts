// Admin helpers for tests: sign in through the API and call the admin API with the admin token header.
import type { TestContext } from './harness.ts';
import { hashSecret } from '../src/lib/secrets.ts';
import type { AdminRole } from '../src/modules/admin/admin.table.ts';

export const TEST_PASSWORD = 'correct-horse-battery';

/** Creates one admin per role (`op`, `fin`, `view`) besides the demo admin. */
export async function createRoleAdmins(ctx: TestContext): Promise<void> {
  const hash = await hashSecret(TEST_PASSWORD);
  const roles: Array<[string, AdminRole]> = [
    ['op', 'operator'],
    ['fin', 'finance'],
    ['view', 'viewer'],
  ];
  for (const [username, role] of roles)
    await ctx.deps.db
      .insertInto('admin_users')
      .values({ username, password_hash: hash, role, is_demo: 0, disabled_at: null, created_at: ctx.clock.now() })
      .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field in tests
export type AdminCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export async function adminRequest(
  ctx: TestContext,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...extraHeaders };
  if (token) headers['x-admin-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await ctx.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Signs in and returns a caller bound to the new admin token. */
export async function signInAs(ctx: TestContext, username: string, password = TEST_PASSWORD): Promise<AdminCall & { token: string }> {
  const res = await adminRequest(ctx, undefined, 'POST', '/api/admin/session', { username, password });
  if (res.status !== 201) throw new Error(`admin sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = res.body.token as string;
  const call = ((method: string, path: string, body?: unknown) => adminRequest(ctx, token, method, path, body)) as AdminCall & {
    token: string;
  };
  call.token = token;
  return call;
}

export function auditCount(ctx: TestContext): Promise<number> {
  return ctx.deps.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}
