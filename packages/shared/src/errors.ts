// The one catalogue of ZF error codes: what each means, its HTTP status, and the Chinese text the H5 shows.

export const ERROR_CATALOGUE = {
  ZF0010: { status: 400, zh: '参数缺失或格式不正确', en: 'missing or malformed parameter' },
  ZF0020: { status: 401, zh: '链接无效或已过期，请从合作方应用重新进入', en: 'signature invalid, link expired, or partner unknown' },
  ZF0030: { status: 403, zh: '回调地址不被允许', en: 'callback URL not allowed for this partner' },
  ZF0040: { status: 404, zh: '暂无可用的有效保单', en: 'no valid policy for this claim' },
  ZF0050: { status: 422, zh: '该保单不可用于本次支付', en: 'policy not usable for this payment' },
  ZF0060: { status: 404, zh: '订单不存在', en: 'order not found (or not yours)' },
  ZF0070: { status: 409, zh: '订单已关闭或已过期', en: 'order closed or expired' },
  ZF0080: { status: 409, zh: '订单已支付，请勿重复支付', en: 'order already paid' },
  ZF0090: { status: 402, zh: '支付失败', en: 'payment failed (insufficient balance, wrong PIN, declined)' },
  ZF0100: { status: 202, zh: '支付结果确认中，请稍候', en: 'payment timed out, result pending' },
  ZF0110: { status: 423, zh: '支付密码错误次数过多，已锁定', en: 'payment PIN locked after too many wrong tries' },
  ZF0120: { status: 429, zh: '操作过于频繁，请稍后再试', en: 'rate limited' },
  ZF0130: { status: 500, zh: '系统繁忙，请稍后再试', en: 'system busy (internal error, logged with a request id)' },
  ZF0140: { status: 404, zh: '接口不存在', en: 'unknown route' },
  ZF0150: { status: 422, zh: '该支付方式暂不可用', en: 'payment method unavailable (e.g. no bound card)' },
  ZF0160: { status: 401, zh: '请先登录管理后台', en: 'admin login required or invalid' },
  ZF0170: { status: 409, zh: '该订单有一笔银行卡支付正在处理中，请稍候查看结果', en: 'a card payment of this order is still in progress (one in flight per order)' },
  ZF0260: { status: 429, zh: '登录尝试次数过多，请稍后再试', en: 'too many admin sign-in attempts (per user or per IP)' },
  ZF0261: { status: 403, zh: '当前角色无权执行此操作', en: 'admin role not allowed to do this' },
  ZF0262: { status: 401, zh: '用户名或密码错误', en: 'admin username or password wrong' },
  ZF0263: { status: 404, zh: '记录不存在', en: 'admin console: record not found' },
  ZF0264: { status: 409, zh: '清分账簿余额不足，请先充值', en: 'clearing ledger still short for this task' },
  ZF0265: { status: 409, zh: '该记录已处理，无需重复操作', en: 'already done (task completed, alert resolved, event still queued)' },
  ZF0266: { status: 409, zh: '合作方已存在', en: 'partner id already exists' },
  ZF0267: { status: 409, zh: '该业务参考号已用于其他金额', en: 'reference already used for a different amount' },
  ZF0180: { status: 409, zh: '链接信息与该业务单号的订单不一致，请从合作方应用重新发起', en: "the link's claim or amount differs from the live order of its refer_no (nothing of that order is shown)" },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

/**
 * Why a payment failed, when the user must know to act (pick another method, retry the PIN).
 * These are enumerated tokens, never internal messages.
 */
export const FAILURE_REASONS = {
  wrong_pin: '支付密码错误',
  insufficient_balance: '余额不足，请选择其他支付方式',
  declined: '银行卡支付被拒绝，请更换支付方式',
  card_unavailable: '该银行卡暂不支持支付，请更换银行卡',
  provider_error: '支付渠道异常，请稍后重试',
  cancelled: '已取消支付，可重新选择支付方式',
  authorization_expired: '关爱通授权已过期，请重新选择关爱通支付',
} as const;

export type FailureReason = keyof typeof FAILURE_REASONS;

/** The body of every error response. */
export interface ErrorBody {
  code: ErrorCode;
  reason?: FailureReason;
  remaining_tries?: number;
  request_id?: string;
}

/** Chinese text for a code (and an optional reason), for the H5. */
export function errorMessage(code: string, reason?: string, remainingTries?: number): string {
  if (reason && Object.hasOwn(FAILURE_REASONS, reason)) {
    const base = FAILURE_REASONS[reason as FailureReason];
    return reason === 'wrong_pin' && remainingTries !== undefined ? `${base}，还可尝试 ${remainingTries} 次` : base;
  }
  return isErrorCode(code) ? ERROR_CATALOGUE[code].zh : ERROR_CATALOGUE.ZF0130.zh;
}
