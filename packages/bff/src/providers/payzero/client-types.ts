// The Payzero client's configuration, the shapes of its batch and polling answers, and the schemas of the answers.
import { z } from 'zod';
import type { Clock } from '../../lib/clock.ts';
import type { PayzeroLogger } from './logger.ts';
import { orderResultSchema, type PayzeroOrderResult } from './protocol.ts';

/** Configuration: the same client talks to the simulator and to the real service. */
export interface PayzeroClientOptions {
  /** e.g. `https://dev-quickpay-api.payzero.cn` (no trailing slash needed). */
  baseUrl: string;
  /** The APP Id / APP Key from the merchant console (§1). */
  username: string;
  password: string;
  /** The notify signToken (kept here so one config object carries all Payzero secrets). */
  signToken: string;
  /** Per-order `notifyUrl` (§2.6); when absent Payzero uses the merchant-level URL from its console. */
  notifyUrl?: string;
  clock?: Clock;
  fetch?: typeof fetch;
  logger?: PayzeroLogger;
  /** Renew the token this long before its `exp` (default 10 min). */
  renewBeforeMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/** The summary of a batch (§2.3). */
export interface PayzeroBatchSummary {
  total: number;
  paySuccessCount: number;
  payFailedCount: number;
  payOtherCount: number;
  declareSuccessCount: number;
  declareFailedCount: number;
  declareOtherCount: number;
  /** Fen. */
  totalPaymentAmount: number;
}

/** One status look-up: `final` when the status can no longer change. */
export interface PayzeroPollResult {
  final: boolean;
  result: PayzeroOrderResult;
}

/** Options of `pollUntilFinal`. */
export interface PayzeroPollOptions {
  /** Stops polling (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Waits before each look-up; the last one repeats (default `PAYZERO_POLL_SCHEDULE_MS`). */
  schedule?: readonly number[];
  /** Give up (`PayzeroError` kind `pending`) once this much has been waited in total (default 20 min). */
  maxWaitMs?: number;
  /** Injected for tests; default is an abortable `setTimeout`. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const mchtOrderNoData = z.object({ mchtOrderNo: z.string() });
export const loginData = z.object({ username: z.string().nullish(), token: z.string().min(1) });
export const batchData = z.object({
  orderBatchId: z.union([z.number(), z.string()]).transform(Number),
  dispBatchNum: z.string().nullish(),
  orderTotalAmount: z.number().nullish(),
});
export const summaryData = z.object({
  total: z.number(),
  paySuccessCount: z.number(),
  payFailedCount: z.number(),
  payOtherCount: z.number(),
  declareSuccessCount: z.number(),
  declareFailedCount: z.number(),
  declareOtherCount: z.number(),
  totalPaymentAmount: z.number(),
});
export const feedbackPageData = z.object({
  rows: z.array(orderResultSchema),
  page: z.number(),
  pagesize: z.number(),
  total: z.number(),
});
