// The simulator's wire helpers: refusals as Payzero answers them, the order request schema, the envelope, request
// parsing, the `orderResultDto` of an order, and closing a listener.
import type { ServerType } from '@hono/node-server';
import type { Context } from 'hono';
import { z } from 'zod';
import {
  MCHT_ORDER_NO_PATTERN,
  PZ_CODES,
  PZ_CODE_TEXT,
  SUBJECT_MAX_LENGTH,
  type PayzeroEnvelope,
  type PayzeroOrderResult,
} from '../../src/providers/payzero/protocol.ts';
import type { SimulatedOrder } from './simulator-types.ts';

export class SimFailure extends Error {
  constructor(
    readonly status: 200 | 400 | 401 | 403 | 405 | 500,
    readonly errorCode: string | null,
    message: string,
  ) {
    super(message);
  }
}

const text = z.string().nullish();
export const orderSchema = z.object({
  currency: z.literal('CNY'),
  mchtOrderNo: z.string().regex(MCHT_ORDER_NO_PATTERN),
  paymentAmount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  subject: z.string().min(1).max(SUBJECT_MAX_LENGTH),
  orderDatetime: text,
  payerName: text,
  payerNumber: text,
  payerPhone: text,
  payerCardNo: z.string().min(4).max(40).nullish(),
  notifyUrl: z.url().nullish(),
  customsCode: text,
  customsAreaCode: text,
  customsJyOrg: text,
  customsInType: text,
  items: z.array(z.object({ subject: z.string().max(SUBJECT_MAX_LENGTH), itemLink: z.string(), articleNum: text })).nullish(),
});
export type OrderRequest = z.output<typeof orderSchema>;

export function isPayable(order: SimulatedOrder): boolean {
  return order.payStatus === 'NOT_PAYED' || order.payStatus === 'PAY_FAILED';
}

export function business(code: string): SimFailure {
  return new SimFailure(200, code, PZ_CODE_TEXT[code] ?? code);
}

export function envelope<T>(success: boolean, data: T, errorCode: string | null = null, errorMsg: string | null = null) {
  const body: PayzeroEnvelope<T> = { success, errorMsg, errorCode, data };
  return body;
}

export async function readJson(c: Context): Promise<unknown> {
  try {
    return (await c.req.json()) as unknown;
  } catch (err) {
    throw new SimFailure(400, PZ_CODES.INVALID_PARAMETER, `请求体不是合法的JSON: ${(err as Error).message}`);
  }
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(body)';
  throw new SimFailure(400, PZ_CODES.INVALID_PARAMETER, `参数 ${path} 未正确设置。`);
}

/** The `orderResultDto` (§2.4) of an order. */
export function resultDto(o: SimulatedOrder): PayzeroOrderResult {
  return {
    mchtOrderNo: o.mchtOrderNo,
    paymentAmount: o.paymentAmount,
    payerName: o.payerName,
    payerNumber: o.payerNumber,
    payerPhone: o.payerPhone,
    subject: o.subject,
    payStatus: o.payStatus,
    declareStatus: 'NOT_DECLARED',
    declareFailReason: null,
    paymentOrderNo: o.paymentOrderNo,
    verDept: null,
    payType: '4',
    initRequest: null,
    initResponse: o.failReason === null ? null : JSON.stringify({ retcode: 'FAIL', errmsg: o.failReason }),
    paymentDatetime: o.paymentDatetime,
    customsPayCompanyName: null,
    customsPayCompanyCode: null,
  };
}

export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive sockets would hold close() open until they time out.
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
