// The cashier's payment methods as the user sees them: labels, icons, and which are usable and why not.
import { errorMessage } from '@zf/shared';
import type { MethodView } from '@zf/shared';
import { formatDateTime } from '@/utils/format.ts';

/** A method the cashier may list. */
export type CashierMethod = MethodView['method'];

/** Methods the wallet can pay with today (the others are listed, disabled). */
export type PayableMethod = Extract<CashierMethod, 'balance' | 'card' | 'guanaitong'>;

/** One row of the method list. */
export interface MethodOption {
  method: CashierMethod;
  label: string;
  icon: string;
  enabled: boolean;
  /** Why it is disabled, or a hint; null for none. */
  note: string | null;
  /** The wallet balance, for `balance`. */
  balanceFen: number | null;
  /** The balance cannot cover the amount to pay: listed, marked 余额不足, not selectable. */
  insufficient: boolean;
}

/** What each method is called on screen. */
export const METHOD_LABELS: Record<CashierMethod, string> = {
  balance: '余额支付',
  card: '绑卡支付',
  guanaitong: '关爱通',
  alipay: '支付宝',
  wechat: '微信支付',
};

const METHOD_ICONS: Record<CashierMethod, string> = {
  balance: 'balance-o',
  card: 'credit-pay',
  guanaitong: 'gift-card-o',
  alipay: 'alipay',
  wechat: 'wechat-pay',
};

const NOT_OPEN = '暂未开通';
/** The note of a balance that cannot cover the order. */
export const INSUFFICIENT_NOTE = '余额不足';
const ALWAYS_LISTED: CashierMethod[] = ['balance', 'card', 'guanaitong', 'alipay', 'wechat'];

/** Whether the wallet has a payment flow for this method. */
export function isPayable(method: CashierMethod): method is PayableMethod {
  return method === 'balance' || method === 'card' || method === 'guanaitong';
}

/**
 * The rows to show, in the cashier's fixed order. The server's list decides what is enabled; 支付宝 and 微信 are
 * shown disabled (暂未开通) even if the server leaves them out, a locked PIN disables the balance (saying when it
 * unlocks, Beijing time, when the server tells), and so does a balance below `amountFen` (marked 余额不足: asking
 * for the PIN first would only end in a refusal).
 */
export function methodOptions(
  methods: MethodView[],
  pinLocked: boolean,
  pinLockedUntil: string | null = null,
  amountFen = 0,
): MethodOption[] {
  return ALWAYS_LISTED.flatMap((method): MethodOption[] => {
    const view = methods.find((m) => m.method === method);
    if (!view && isPayable(method)) return [];
    const balanceFen = view?.balance_fen ?? null;
    const locked = method === 'balance' && pinLocked;
    const insufficient = method === 'balance' && balanceFen !== null && balanceFen < amountFen;
    const enabled = Boolean(view?.enabled) && isPayable(method) && !locked && !insufficient;
    const fallback = enabled ? null : isPayable(method) ? errorMessage('ZF0150') : NOT_OPEN;
    const lockNote = pinLockedUntil ? `${errorMessage('ZF0110')}，${formatDateTime(pinLockedUntil)} 后可再试` : errorMessage('ZF0110');
    const note = locked ? lockNote : insufficient ? INSUFFICIENT_NOTE : (view?.note ?? fallback);
    return [{ method, label: METHOD_LABELS[method], icon: METHOD_ICONS[method], enabled, note, balanceFen, insufficient }];
  });
}

/** The method selected by default: the first usable one. */
export function defaultMethod(options: MethodOption[]): PayableMethod | null {
  const first = options.find((o) => o.enabled && isPayable(o.method));
  return first && isPayable(first.method) ? first.method : null;
}
