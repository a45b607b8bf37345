// The cashier: the order, the pay methods and what each needs (balance and PIN, bound cards, Guanaitong).
import { errorMessage, type CashierView } from '@zf/shared';
import type { Deps } from '../../deps.ts';
import type { Session } from '../../http/session-token.ts';
import { Accounts, balanceOf } from '../../ledger/ledger.ts';
import { pinState } from '../balance/balance.repository.ts';
import { pinLockedUntil } from '../balance/pin.ts';
import { listUserCards } from '../card/card.repository.ts';
import { orderForSession, viewOrder } from '../order/order.service.ts';
import { oldestInFlight } from './payment.repository.ts';

/** The cashier: the order, the methods and what each needs. Other methods add themselves through `extraMethods`. */
export async function cashier(deps: Deps, session: Session, orderNo: string): Promise<CashierView> {
  const order = await orderForSession(deps.db, session, orderNo);
  const user = await pinState(deps.db, session.userId);
  const cards = await listUserCards(deps.db, session.userId);
  const balance = await balanceOf(deps.db, Accounts.userWallet(session.userId));
  const lockedUntil = pinLockedUntil(user.pin_locked_at, deps.config.pin.lockMs, deps.clock.now());
  const trip = await oldestInFlight(deps.db, orderNo, 'guanaitong');
  return {
    order: await viewOrder(deps, order),
    methods: [
      {
        method: 'balance',
        enabled: user.pin_hash !== null && lockedUntil === null,
        balance_fen: balance,
        note: user.pin_hash === null ? '未设置支付密码' : lockedUntil !== null ? errorMessage('ZF0110') : null,
      },
      { method: 'card', enabled: true, balance_fen: null, note: cardNote(cards) },
      { method: 'guanaitong', enabled: true, balance_fen: null, note: '员工积分 / 额度' },
      { method: 'alipay', enabled: false, balance_fen: null, note: '暂未开通' },
      { method: 'wechat', enabled: false, balance_fen: null, note: '暂未开通' },
    ],
    pin_locked: lockedUntil !== null,
    pin_locked_until: lockedUntil === null ? null : new Date(lockedUntil).toISOString(),
    pin_set: user.pin_hash !== null,
    // Paying another way now needs `confirm_supersede` (ZF0200): the H5 explains what that means first.
    pending_trip: trip ? { method: 'guanaitong', started_at: new Date(Number(trip.created_at)).toISOString() } : null,
    server_time: new Date(deps.clock.now()).toISOString(),
  };
}

/** The card method's line at the cashier: the newest bound card (and how many), or an invitation to add one. */
function cardNote(cards: ReadonlyArray<{ bank_name: string; last4: string }>): string {
  const [newest] = cards;
  if (!newest) return '暂无绑定银行卡，可添加';
  const label = `${newest.bank_name}（尾号${newest.last4}）`;
  return cards.length === 1 ? label : `${label} 等 ${cards.length} 张`;
}
