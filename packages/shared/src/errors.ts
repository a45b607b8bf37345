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
  ZF0170: {
    status: 409,
    zh: '该订单有一笔银行卡支付正在处理中，请稍候查看结果',
    en: 'a card payment of this order is still in progress (one in flight per order)',
  },
  ZF0260: {
    status: 429,
    zh: '登录尝试次数过多，请稍后再试',
    en: 'too many admin sign-in attempts (retired: the sign-in limits answer ZF0120)',
  },
  ZF0261: { status: 403, zh: '当前角色无权执行此操作', en: 'admin role not allowed to do this' },
  ZF0262: { status: 401, zh: '用户名或密码错误', en: 'admin username or password wrong' },
  ZF0263: { status: 404, zh: '记录不存在', en: 'admin console: record not found' },
  ZF0264: { status: 409, zh: '清分账簿余额不足，请先充值', en: 'clearing ledger still short for this task' },
  ZF0265: { status: 409, zh: '该记录已处理，无需重复操作', en: 'already done (task completed, alert resolved, event still queued)' },
  ZF0266: { status: 409, zh: '合作方已存在', en: 'partner id already exists' },
  ZF0267: { status: 409, zh: '该业务参考号已用于其他金额', en: 'reference already used for a different amount' },
  // ZF0220–ZF0259: refunds and the partner server API (issue 10).
  ZF0220: { status: 401, zh: '请求签名无效或合作方未知', en: 'partner API request unsigned, signature invalid, or partner unknown' },
  ZF0221: { status: 401, zh: '请求时间戳超出允许范围（±5 分钟）', en: 'partner API request timestamp more than 5 minutes off' },
  ZF0222: { status: 409, zh: '请求已处理过（nonce 重复）', en: 'partner API nonce already used (replayed request)' },
  ZF0223: { status: 422, zh: '退款金额超过可退金额', en: 'refund amount exceeds what is left to refund' },
  ZF0224: { status: 409, zh: '退款单号已使用，参数不一致', en: 'refund number already used with other parameters' },
  ZF0225: {
    status: 409,
    zh: '订单当前不可退款（未支付、已关闭或结算中）',
    en: 'order not refundable (not paid, closed, or still settling)',
  },
  ZF0226: { status: 404, zh: '退款单不存在', en: 'refund not found (or not yours)' },
  ZF0227: {
    status: 409,
    zh: '商户账户余额不足，退款等待人工处理',
    en: 'merchant ledger cannot cover the refund; it waits as a manual task',
  },
  ZF0228: { status: 409, zh: '退款正在处理中', en: 'refund not in a state for this action' },
  ZF0230: { status: 200, zh: '订单已创建，等待支付（非支付结果）', en: 'callback order_created: order created, not a payment result' },
  ZF0232: { status: 200, zh: '退款成功', en: 'callback refunded: the refund succeeded' },
  ZF0233: { status: 200, zh: '退款失败', en: 'callback refunded: the refund failed; nothing was refunded' },
  // ZF0200–ZF0219: second factors, cards, changing the policy, superseding a pending Guanaitong trip (issue 13).
  ZF0200: {
    status: 409,
    zh: '该订单有一笔关爱通支付尚未完成，确认改用其他方式支付吗？',
    en: 'a Guanaitong trip of this order is in flight; resend with confirm_supersede to pay another way',
  },
  ZF0201: { status: 422, zh: '短信验证码错误', en: 'wrong SMS code (remaining_tries says how many are left)' },
  ZF0202: { status: 410, zh: '短信验证码已失效，请重新获取', en: 'SMS code expired, used, or out of tries: request a new one' },
  ZF0203: { status: 428, zh: '请先设置支付密码', en: 'no payment PIN set yet (set one at the cashier)' },
  ZF0204: { status: 422, zh: '两次输入的支付密码不一致', en: 'the PIN and its confirmation differ' },
  ZF0205: { status: 409, zh: '该银行卡有一笔支付正在处理中，暂不能解绑', en: 'the card has a payment in flight and cannot be removed' },
  ZF0206: { status: 404, zh: '银行卡不存在或已解绑', en: 'no such bound card for this user' },
  ZF0181: {
    status: 503,
    zh: '服务暂时不可用，请稍后重试',
    en: 'our database is unreachable for now (the request changed nothing it could not finish); try again shortly',
  },
  ZF0180: {
    status: 409,
    zh: '链接信息与该业务单号的订单不一致，请从合作方应用重新发起',
    en: "the link's claim or amount differs from the live order of its refer_no (nothing of that order is shown)",
  },
  ZF0300: { status: 409, zh: '已有对账正在进行，请稍后再试', en: 'a reconciliation run is already running (one at a time)' },
  ZF0301: {
    status: 422,
    zh: '对账时间范围不正确',
    en: 'reconciliation window invalid (start before end, at most 31 days, not in the future)',
  },
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
