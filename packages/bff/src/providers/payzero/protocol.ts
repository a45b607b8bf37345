// Wire facts of Payzero QuickPay shared by the client and the simulator: envelope, order shapes, pay statuses, error
// codes, paths, limits and the notify resend schedule. Source: seed 002, PROVIDERS.md, and the full public document
// (github.com/payzero/china-quick-payment-api-doc README, "§" numbers below refer to it).
import { z } from 'zod';

/** Pay statuses (doc appendix A.1; `PAY_CANCELLED` appears in the §2.5 example). */
export const PAY_STATUSES = [
  'INIT_FEE_PENDING',
  'NOT_PAYED',
  'PAY_APPLIED',
  'PAY_SMS_CONFIRMED',
  'PAY_SUCCEED',
  'PAY_FAILED',
  'PAY_CANCELLED',
] as const;

export type PayStatus = (typeof PAY_STATUSES)[number];

const FINAL_PAY_STATUSES: ReadonlySet<string> = new Set<PayStatus>(['PAY_SUCCEED', 'PAY_FAILED', 'PAY_CANCELLED']);

/** True for a status no later event can change: succeeded, failed or cancelled. Unknown statuses are not final. */
export function isFinalPayStatus(status: string): boolean {
  return FINAL_PAY_STATUSES.has(status);
}

/**
 * Business error codes of the envelope's `errorCode`. The 500xx ones are documented (§2.2, §2.6); 30001 is the
 * doc's own example of a parameter error. ASSUMPTION: the doc names no code for a duplicate `mchtOrderNo` or an
 * unknown order, so the simulator answers 30002 / 30004; the client never relies on those two.
 */
export const PZ_CODES = {
  NO_SUPPORTED_CARD: '50001',
  NO_SIGNED_CARD: '50010',
  NO_ORDERS_TO_EXECUTE: '50054',
  CARD_QUOTA_INSUFFICIENT: '50056',
  INVALID_PARAMETER: '30001',
  DUPLICATE_ORDER: '30002',
  ORDER_NOT_FOUND: '30004',
} as const;

/** The documented texts of the 500xx codes (§2.2), used by the simulator and in internal failure reasons. */
export const PZ_CODE_TEXT: Readonly<Record<string, string>> = {
  '50001': '未找到支持的银行卡和协议，可能与垫资模式的设置不正确有关',
  '50010': '未找到已签约的银行卡进行支付',
  '50054': '没有需要被分配执行的订单',
  '50056': '系统记录的银行卡当前额度可能无法支持支付本批次订单，请增加系统内银行卡额度并确保实际资金与额度大致匹配',
};

/** API paths (the simulator serves the same ones). */
export const PZ_PATHS = {
  login: '/auth/login',
  orderBatch: '/orderBatch',
  createAndPay: '/order/createAndPay',
  create: '/order/create',
  arrangePay: '/order/arrangePay',
  feedback: '/order/feedback',
  queryOrder: '/order/queryOrder',
  /** POST asks for a refund, GET `?mchtRefundOrderNo=` reads its status (PROVIDERS.md). */
  refund: '/order/refund',
} as const;

/** Token lifetime: `exp − iat` of every JWT (doc §1: 4 hours). */
export const PZ_TOKEN_TTL_SEC = 14_400;

/** `mchtOrderNo`: letters, digits, `-` and `_`, at most 30 characters (§2.1). */
export const MCHT_ORDER_NO_PATTERN = /^[A-Za-z0-9_-]{1,30}$/;

/** `subject` is required and at most 200 characters (§2.1). */
export const SUBJECT_MAX_LENGTH = 200;

/** `pagesize` of the batch feedback is at most 100 (§2.5). */
export const FEEDBACK_PAGE_SIZE_MAX = 100;

/** Notify message types (§3.4, §3.5). */
export const PAY_STATUS_NOTIFY = 'PAY_STATUS_NOTIFY';
export const DECLARE_STATUS_NOTIFY = 'DECLARE_STATUS_NOTIFY';

/** The only answer body that acknowledges a notify (§3.3); anything else makes Payzero resend. */
export const NOTIFY_ACK = 'OK';
/** What our receiver answers to a notify it refuses (the doc's Java SDK answers "FAIL"). */
export const NOTIFY_NACK = 'FAIL';

/** Payzero gives up on a notify request after 5 s (§3.1). */
export const NOTIFY_TIMEOUT_MS = 5_000;

/**
 * Resends of an unacknowledged notify, measured from the FIRST send: "共计重发5次，分别为第一次消息发送后的1m, 5m,
 * 10m, 1h, 6h后重试" (§3.3).
 */
export const NOTIFY_RESEND_OFFSETS_MS: readonly number[] = [60_000, 300_000, 600_000, 3_600_000, 21_600_000];

/** The body of every answer with HTTP 200 (and of our simulator's 4xx/5xx answers). */
export interface PayzeroEnvelope<T = unknown> {
  success: boolean;
  errorMsg: string | null;
  errorCode: string | null;
  data: T;
}

/** Parses an envelope leniently: `errorCode` may arrive as a number, missing fields as null. */
export const envelopeSchema = z.object({
  success: z.boolean(),
  errorMsg: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  errorCode: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : String(v))),
  data: z.unknown(),
});

const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/**
 * `orderResultDto` (§2.4): the answer of `/order/feedback` and `/order/queryOrder`, each row of the batch feedback,
 * and the `msgBody` of the status notifies. `paymentDatetime` is yyyyMMddHHmmss (China time) and arrives as a number in
 * one of the doc's own examples, so numbers are accepted and turned into text.
 */
export const orderResultSchema = z.object({
  mchtOrderNo: z.string().min(1),
  paymentAmount: z
    .number()
    .int()
    .nullish()
    .transform((v) => v ?? null),
  payerName: optionalText,
  payerNumber: optionalText,
  payerPhone: optionalText,
  subject: optionalText,
  payStatus: z.string().min(1),
  declareStatus: optionalText,
  declareFailReason: optionalText,
  paymentOrderNo: optionalText,
  verDept: optionalText,
  payType: optionalText,
  initRequest: optionalText,
  initResponse: optionalText,
  paymentDatetime: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : String(v))),
  customsPayCompanyName: optionalText,
  customsPayCompanyCode: optionalText,
});

/** One order's status and payment facts as Payzero reports them. */
export type PayzeroOrderResult = z.output<typeof orderResultSchema>;

/** The notify request body (§3.1): `msgBody` is the JSON text of an `orderResultDto`. */
export interface PayzeroNotifyBody {
  timestamp: string;
  msgType: string;
  msgBody: string;
  sign: string;
}

/** yyyyMMddHHmmss in China time (UTC+8, no DST), the format of `paymentDatetime`. */
export function formatChinaCompact(ms: number): string {
  return chinaParts(ms).join('');
}

/** `yyyy-MM-dd HH:mm:ss` in China time, the format the doc gives for `orderDatetime` (§2.1). */
export function formatChinaDateTime(ms: number): string {
  const [y, mo, d, h, mi, s] = chinaParts(ms);
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}

function chinaParts(ms: number): [string, string, string, string, string, string] {
  const d = new Date(ms + 8 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return [
    String(d.getUTCFullYear()),
    p(d.getUTCMonth() + 1),
    p(d.getUTCDate()),
    p(d.getUTCHours()),
    p(d.getUTCMinutes()),
    p(d.getUTCSeconds()),
  ];
}

/** Refund statuses (PROVIDERS.md): INIT → REQUESTED → SUCCEED | FAILED. */
export const REFUND_STATUSES = ['REFUND_INIT', 'REFUND_REQUESTED', 'REFUND_SUCCEED', 'REFUND_FAILED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** True for a refund status that cannot change any more. */
export function isFinalRefundStatus(status: string): boolean {
  return status === 'REFUND_SUCCEED' || status === 'REFUND_FAILED';
}

/**
 * A refund as Payzero reports it (answer of both `/order/refund` calls). ASSUMPTION: the public document names the
 * endpoints and statuses but not the fields; these follow its order DTO's naming (`mchtOrderNo`, amounts in fen,
 * `…Datetime` as yyyyMMddHHmmss).
 */
export const refundResultSchema = z.object({
  mchtRefundOrderNo: z.string().min(1),
  mchtOrderNo: z.string().min(1),
  refundAmount: z.number().int(),
  refundStatus: z.string().min(1),
  refundOrderNo: optionalText,
  refundDatetime: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : String(v))),
  failReason: optionalText,
});
export type PayzeroRefundResult = z.output<typeof refundResultSchema>;
