// The payment method chosen at a cashier, kept per order in sessionStorage: a refresh, the quota picker or a trip
// to Guanaitong and back resumes the cashier on the method the user had chosen instead of the first one.
import type { GuanaitongPayType } from '@zf/shared';
import type { PayableMethod } from '@/components/cashier/cashier-methods.ts';

const KEY = 'zf.cashier.method';

/** The choice kept for one order. */
export interface CashierChoice {
  method: PayableMethod;
  payType: GuanaitongPayType;
}

function isChoice(value: unknown): value is CashierChoice {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<CashierChoice>;
  return (v.method === 'balance' || v.method === 'card' || v.method === 'guanaitong') && (v.payType === 1 || v.payType === 2);
}

/** The method last chosen at the cashier of `orderNo` in this tab, or null. */
export function rememberedMethod(orderNo: string): CashierChoice | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as { orderNo?: unknown; choice?: unknown } | null;
    return stored?.orderNo === orderNo && isChoice(stored.choice) ? stored.choice : null;
  } catch {
    // Storage disabled or a corrupt entry: start from the default method.
    return null;
  }
}

/** Keeps the method chosen at the cashier of `orderNo` (one order at a time). */
export function rememberMethod(orderNo: string, choice: CashierChoice): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ orderNo, choice }));
  } catch {
    // Storage disabled: the choice lives as long as the page.
  }
}
