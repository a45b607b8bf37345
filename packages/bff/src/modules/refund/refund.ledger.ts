// The money of a refund, each leg a ledger transfer with its own key (`refund:<no>:<leg>`):
//   hold     merchant → refund_pending (order refunds: the whole amount, before any provider is asked)
//   arrived  world → refund_pending (an extra provider payment: the money that arrived but was never settled)
//   clearing refund_pending → clearing (the insurer share back to the company clearing ledger)
//   selfpay  refund_pending → user_wallet (balance) | world (card, Guanaitong: the provider pays it back)
//   coverage coverage_issued → policy_coverage:<policy> (the insurer share back on the policy's coverage book)
//   (the insurer's quota comes back as the type 1 record `refund:<no>`, mirrored once by the quota book itself)
//   release  refund_pending → merchant (the reversal of `hold` when the refund fails)
// Kept to small functions so the ledger's holds (another branch) can replace `hold` / `release` in one place.
import type { Db } from '../../db/database.ts';
import { Accounts, transfer } from '../../ledger/ledger.ts';
import type { Refund } from './refund.table.ts';

const key = (r: Pick<Refund, 'refund_no'>, leg: string) => `refund:${r.refund_no}:${leg}`;

/** Takes an order refund's amount from the merchant; throws InsufficientFunds when the merchant's ledger is short. */
export async function holdFromMerchant(trx: Db, r: Refund, now: number): Promise<void> {
  await transfer(trx, {
    key: key(r, 'hold'),
    from: Accounts.merchant(r.partner_id),
    to: Accounts.refundPending,
    amountFen: Number(r.amount_fen),
    orderNo: r.order_no,
    memo: `refund ${r.refund_no} held`,
    now,
  });
}

/** Records an extra provider payment's money as held for its refund (world may go negative: it never throws). */
export async function holdArrived(trx: Db, r: Pick<Refund, 'refund_no' | 'order_no' | 'amount_fen'>, now: number): Promise<void> {
  await transfer(trx, {
    key: key(r, 'arrived'),
    from: Accounts.world,
    to: Accounts.refundPending,
    amountFen: Number(r.amount_fen),
    orderNo: r.order_no,
    memo: `extra payment held for refund ${r.refund_no}`,
    now,
  });
}

/** Pays a succeeded refund out of `refund_pending`: insurer share to clearing (+ the policy's coverage back), self-pay back. */
export async function payOut(
  trx: Db,
  r: Refund,
  order: { user_id: string; ic_code: string; policy_no: string },
  now: number,
): Promise<void> {
  const insurer = Number(r.insurer_fen);
  const selfPay = Number(r.self_pay_fen);
  const base = { orderNo: r.order_no, now };
  if (insurer > 0) {
    await transfer(trx, {
      ...base,
      key: key(r, 'clearing'),
      from: Accounts.refundPending,
      to: Accounts.clearing,
      amountFen: insurer,
      memo: `refund ${r.refund_no}: insurer share back to clearing`,
    });
    await transfer(trx, {
      ...base,
      key: key(r, 'coverage'),
      from: Accounts.coverageIssued,
      to: Accounts.policyCoverage(order.policy_no),
      amountFen: insurer,
      memo: `refund ${r.refund_no}: policy coverage back`,
    });
  }
  if (selfPay > 0) {
    const to = r.method === 'balance' ? Accounts.userWallet(order.user_id) : Accounts.world;
    await transfer(trx, {
      ...base,
      key: key(r, 'selfpay'),
      from: Accounts.refundPending,
      to,
      amountFen: selfPay,
      memo: `refund ${r.refund_no}: self-pay back by ${r.method}`,
    });
  }
}

/** Gives a failed order refund's hold back to the merchant. */
export async function release(trx: Db, r: Refund, now: number): Promise<void> {
  await transfer(trx, {
    key: key(r, 'release'),
    from: Accounts.refundPending,
    to: Accounts.merchant(r.partner_id),
    amountFen: Number(r.amount_fen),
    orderNo: r.order_no,
    memo: `refund ${r.refund_no} failed: hold released`,
    now,
  });
}
