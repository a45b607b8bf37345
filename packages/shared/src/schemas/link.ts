// The deep-link parameters of SPEC §3.1 as the H5 forwards them to the BFF.
import { z } from 'zod';
import { parsePositiveYuan } from '../money.ts';

const text = (max: number) => z.string().trim().min(1).max(max);

/** Raw query parameters of the entry link, all strings; `amout` (seed spelling) or `amount`. */
export const LinkParams = z
  .object({
    partner_id: text(64),
    timestamp: z.string().regex(/^\d{1,12}$/),
    sign: z.string().regex(/^[0-9a-f]{64}$/),
    amout: z.string().optional(),
    amount: z.string().optional(),
    refer_no: text(64),
    claim_no: text(64),
    callback: z.string().url().max(512),
    order_no: z.string().max(40).optional(),
    /** Where 完成 / 返回商户 takes the user; its host must be on the partner's allow-list (like `callback`). */
    return_url: z.string().url().max(512).optional(),
  })
  .catchall(z.string().max(512))
  .superRefine((p, ctx) => {
    const raw = p.amout ?? p.amount;
    if (raw === undefined || parsePositiveYuan(raw) === null) ctx.addIssue({ code: 'custom', path: ['amout'], message: 'amount' });
    if (p.amout !== undefined && p.amount !== undefined && p.amout !== p.amount)
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'amout and amount differ' });
  });
export type LinkParams = z.infer<typeof LinkParams>;

export const SessionRequest = z.object({ params: z.record(z.string(), z.string()) });
export type SessionRequest = z.infer<typeof SessionRequest>;

/** Where the H5 goes after entry: policy list, the cashier of an open order, or the result of a paid one. */
export const EntryNext = z.discriminatedUnion('page', [
  z.object({ page: z.literal('policies') }),
  z.object({ page: z.literal('cashier'), order_no: z.string() }),
  z.object({ page: z.literal('result'), order_no: z.string() }),
]);
export type EntryNext = z.infer<typeof EntryNext>;

export const SessionResponse = z.object({
  token: z.string(),
  expires_at: z.string(),
  partner_id: z.string(),
  claim_no: z.string(),
  refer_no: z.string(),
  amount_fen: z.number().int(),
  user_name: z.string(),
  next: EntryNext,
  /**
   * The link's signed `return_url`, verified against the partner's allow-list: where 完成 / 返回商户 goes.
   * Null: the H5 closes the webview instead.
   */
  return_url: z.string().nullable().optional(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;
