// The cashier's three pay actions (balance + PIN, bound card, Guanaitong), each a `usePayAction`, and where each
// outcome leads: the result page, the PIN keyboard again, Guanaitong's login, or the page's error handling.
import type { GuanaitongPayType, OrderView } from '@zf/shared';
import type { Ref } from 'vue';
import { useRouter } from 'vue-router';
import type { ApiError } from '@/api/api-error.ts';
import { api } from '@/api/client.ts';
import { usePageRestore } from '@/composables/use-page-restore.ts';
import { usePayAction } from '@/composables/use-pay-action.ts';
import type { PayAction } from '@/composables/use-pay-action.ts';
import { toPayResult } from '@/router.ts';
import { navigateTo } from '@/utils/navigate.ts';

/** A wrong PIN: the user types it again on the same keyboard, so it is not a failure of the page. */
export const isWrongPin = (error: ApiError | null): boolean => error?.code === 'ZF0090' && error.reason === 'wrong_pin';

/** What {@link useCashierPay} gives the cashier page. */
export interface CashierPay {
  balance: PayAction<[pin: string, confirmSupersede: boolean]>;
  card: PayAction<[cardId: string, pin: string, confirmSupersede: boolean]>;
  guanaitong: PayAction<[payType: GuanaitongPayType]>;
}

/**
 * The pay actions of the cashier of `orderNo`. A submitted payment replaces the cashier with the result page (back
 * must not return to a paid cashier); a Guanaitong start leaves for its login (a full navigation). Failures other
 * than a wrong PIN go to `onFailed`.
 */
export function useCashierPay(orderNo: Ref<string>, onFailed: (error: ApiError) => void | Promise<void>): CashierPay {
  const router = useRouter();
  const toResult = async (order: OrderView | undefined): Promise<void> => {
    await router.replace(toPayResult(order?.order_no ?? orderNo.value));
  };

  const balance = usePayAction(
    async (pin: string, confirmSupersede: boolean) => toResult((await api.payBalance(orderNo.value, pin, confirmSupersede)).order),
    (error) => (isWrongPin(error) ? undefined : onFailed(error)),
  );
  // 202: the bank answers later; the result page shows 处理中 and polls until paid or failed.
  // Every card payment is confirmed with the payment PIN; a wrong one keeps the keyboard open, like the balance.
  const card = usePayAction(
    async (cardId: string, pin: string, confirmSupersede: boolean) =>
      toResult((await api.payCard(orderNo.value, cardId, pin, confirmSupersede)).order),
    (error) => (isWrongPin(error) ? undefined : onFailed(error)),
  );
  // Guanaitong's login, then its cashier (or our quota picker), then our result page; 'done' means leaving.
  const guanaitong = usePayAction(
    async (payType: GuanaitongPayType) => navigateTo((await api.startGuanaitong(orderNo.value, payType)).login_url),
    onFailed,
  );

  // The webview's back button may restore the page from the back-forward cache with a button still spinning.
  usePageRestore(() => guanaitong.reset());

  return { balance, card, guanaitong };
}
