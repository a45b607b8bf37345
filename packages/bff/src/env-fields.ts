// The field types of the configuration (env.ts): booleans, lists, times, table names, database URLs, PIN keys.
import { z } from 'zod';

export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const splitList = (v: string | undefined) => (v ?? '').split(',').flatMap((s) => (s.trim() ? [s.trim()] : []));
export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
export const sqlTable = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a plain SQL table name');
export const dbUrl = z.string().refine((v) => v.startsWith('mysql://') || v.startsWith('sqlite:'), 'expected mysql://… or sqlite:<path>');

/** `id:secret[,id:secret…]` → id → secret; the message never repeats the value (it is a secret). */
export function parsePinKeys(value: string, ctx: z.RefinementCtx): Map<string, string> {
  const keys = new Map<string, string>();
  for (const entry of value.split(',')) {
    const m = /^([A-Za-z0-9_-]{1,16}):(.{32,})$/.exec(entry.trim());
    if (!m || keys.has(m[1] as string)) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected id:secret[,id:secret…], unique ids of [A-Za-z0-9_-] (≤ 16), secrets of ≥ 32 characters',
      });
      return z.NEVER;
    }
    keys.set(m[1] as string, m[2] as string);
  }
  return keys;
}
