// 关爱通 (Guanaitong) points / quota payment: the bodies of the H5 ↔ BFF calls and the query parameters the BFF's
// redirects hand back to the H5 (the trip goes through Guanaitong's login and cashier pages and back).
import { z } from 'zod';

/** 1 = 积分 (points), 2 = 额度 (quota). */
export const GuanaitongPayType = z.union([z.literal(1), z.literal(2)]);
export type GuanaitongPayType = z.infer<typeof GuanaitongPayType>;

/** POST /api/orders/:orderNo/pay/guanaitong/start (session). */
export const GuanaitongStartRequest = z.object({ pay_type: GuanaitongPayType });
export type GuanaitongStartRequest = z.infer<typeof GuanaitongStartRequest>;

/** Where to send the browser next (`location.href = login_url`); the login comes back to the BFF, then the H5. */
export const GuanaitongStartResponse = z.object({
  login_url: z.string().url(),
  /** The trip must reach the BFF's auth callback before this (ISO time), or it ends with `authorization_expired`. */
  expires_at: z.string(),
});
export type GuanaitongStartResponse = z.infer<typeof GuanaitongStartResponse>;

/** One quota asset of the employee, for the picker. */
export const GuanaitongAssetView = z.object({
  account_openid: z.string(),
  name: z.string(),
  balance_fen: z.number().int(),
});
export type GuanaitongAssetView = z.infer<typeof GuanaitongAssetView>;

/** GET /api/providers/guanaitong/pick?pick=… — what the picker shows. */
export const GuanaitongPickView = z.object({
  order_no: z.string(),
  /** The amount to pay (the order's self-pay share); assets whose balance is below it cannot pay. */
  amount_fen: z.number().int(),
  /** The employee's login (auth code) runs out then (ISO time): pick before it, or start again. */
  expires_at: z.string(),
  assets: z.array(GuanaitongAssetView),
});
export type GuanaitongPickView = z.infer<typeof GuanaitongPickView>;

/** POST /api/providers/guanaitong/pay — the chosen quota asset (the `pick` token authenticates the call). */
export const GuanaitongPayRequest = z.object({
  pick: z.string().min(1).max(4000),
  account_openid: z.string().min(1).max(32),
});
export type GuanaitongPayRequest = z.infer<typeof GuanaitongPayRequest>;

/** Where to send the browser: Guanaitong's cashier (`location.href = cashier_url`). */
export const GuanaitongPayResponse = z.object({ cashier_url: z.string().url() });
export type GuanaitongPayResponse = z.infer<typeof GuanaitongPayResponse>;

// In a module of its own without zod, so the H5 pages that read these parameters do not load zod (issue 11).
export { GUANAITONG_H5_PARAMS } from '../guanaitong-h5-params.ts';
