// The admin console's API contract (requests validated by the BFF, types used by the H5's admin pages).
import { z } from 'zod';
import { CALLBACK_EVENTS } from './callback.ts';

export const ADMIN_ROLES = ['operator', 'finance', 'viewer'] as const;
export const AdminRole = z.enum(ADMIN_ROLES);
export type AdminRole = z.infer<typeof AdminRole>;

export const AdminSignIn = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export type AdminSignIn = z.infer<typeof AdminSignIn>;

/** Page through a list: `page` from 1, `size` ≤ 100. */
export const Paging = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  size: z.coerce.number().int().min(1).max(100).default(20),
});

/** Yuan as an exact decimal string with at most 2 decimals (parsed to fen by the BFF). */
const yuan = z.string().regex(/^\d{1,9}(\.\d{1,2})?$/);
const reference = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[\w:.-]+$/);

export const AlertQuery = Paging.extend({
  kind: z.string().max(32).optional(),
  status: z.enum(['open', 'acknowledged', 'resolved', 'unresolved']).optional(),
  order_no: z.string().max(32).optional(),
});
export const AlertResolve = z.object({ note: z.string().trim().min(1).max(500) });
export const ClearingRecharge = z.object({ amount: yuan, reference });
export const InsurerRecharge = z.object({ amount: yuan, reference });
export const InsurerWarning = z.object({ warning_amount: yuan, critical_amount: yuan.optional() });
export const OrderQuery = Paging.extend({
  q: z.string().max(64).optional(),
  order_no: z.string().max(32).optional(),
  refer_no: z.string().max(64).optional(),
  claim_no: z.string().max(64).optional(),
  partner_id: z.string().max(64).optional(),
  status: z.string().max(16).optional(),
  /** Asia/Shanghai calendar day, YYYY-MM-DD. */
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
export const CallbackQuery = Paging.extend({
  partner_id: z.string().max(64).optional(),
  status: z.enum(['pending', 'sending', 'delivered', 'dead']).optional(),
  order_no: z.string().max(32).optional(),
});
export const TestCallback = z.object({ event: z.enum(CALLBACK_EVENTS) });
// Callback allow-list entries: `host` (default port only), `host:port` or `host:*` (modules/callback/callback-target.ts).
const host = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]{1,253}(:([0-9]{1,5}|\*))?$/);
export const PartnerCreate = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/),
  name: z.string().trim().min(1).max(128),
  callback_hosts: z.array(host).min(1).max(20),
});
export const PartnerHosts = z.object({ callback_hosts: z.array(host).min(1).max(20) });
/** `api`: the partner's server API secret (`/api/partner/v1/*` signatures). */
export const PartnerRotate = z.object({ which: z.enum(['link', 'callback', 'api']) });
export const PinUnlock = z.object({ reason: z.string().trim().min(2).max(255) });
export const AuditQuery = Paging.extend({
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  target: z.string().max(128).optional(),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

/** A page of a list. */
export interface AdminPage<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
}

/** A refund from the console: the amount in yuan, a reason, and the console's refund number (a double click refunds once). */
export const AdminRefundCreate = z.object({
  amount: yuan,
  reason: z.string().trim().min(2).max(200),
  refund_no: z.string().regex(/^[A-Za-z0-9_-]{6,40}$/),
});
export const AdminRefundQuery = Paging.extend({
  status: z.enum(['requested', 'submitted', 'succeeded', 'failed']).optional(),
  /** `1`: only refunds waiting for an admin (the merchant's ledger was short). */
  task: z.enum(['1']).optional(),
  partner_id: z.string().max(64).optional(),
  order_no: z.string().max(32).optional(),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

/** 立即对账: the window of orders (created in [since, until), Unix ms); checked further by the service (ZF0301). */
export const AdminReconcileRun = z.object({
  since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  until: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const AdminReconcileQuery = Paging;
