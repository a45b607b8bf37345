// A policy's coverage in the ledger (the coverage book): `policy_coverage:<policy>` (never negative) is funded once
// from the policy's issued coverage against `coverage_issued`; an order holds its insurer share there (a pending
// transfer), posted when the order is paid, voided when it closes. What a user sees as "coverage left" is the
// account's available amount (balance − holds); nothing but the ledger writes it.
import type { Db } from '../../db/database.ts';
import { Accounts, balancesOf, InsufficientFunds, postPending, reserve, transfer, voidPending } from '../../ledger/ledger.ts';
import type { Policy } from './policy.table.ts';

export const coverageHoldKey = (orderNo: string) => `order:${orderNo}:coverage-hold`;
export const coverageUseKey = (orderNo: string) => `order:${orderNo}:coverage`;

/**
 * Funds the policy's coverage account once (key `policy:<no>:coverage`) from `policies.coverage_left_fen`, the
 * coverage as the policy was issued or imported; later changes of that column are not read again.
 */
export async function fundCoverage(db: Db, policy: Pick<Policy, 'policy_no' | 'coverage_left_fen'>, now: number): Promise<void> {
  const account = Accounts.policyCoverage(policy.policy_no);
  if (await db.selectFrom('ledger_accounts').select('id').where('id', '=', account).executeTakeFirst()) return;
  const issued = Number(policy.coverage_left_fen);
  if (issued > 0)
    await transfer(db, {
      key: `policy:${policy.policy_no}:coverage`,
      from: Accounts.coverageIssued,
      to: account,
      amountFen: issued,
      orderNo: null,
      memo: 'policy coverage issued',
      now,
    });
}

/** The coverage a new order of the policy may still take (funding the account on first use). */
export async function coverageLeft(db: Db, policy: Pick<Policy, 'policy_no' | 'coverage_left_fen'>, now: number): Promise<number> {
  await fundCoverage(db, policy, now);
  return (await balancesOf(db, Accounts.policyCoverage(policy.policy_no))).availableFen;
}

/** The policy as the user sees it: `coverage_left_fen` is the ledger's available coverage. */
export async function withCoverageLeft(db: Db, policy: Policy, now: number): Promise<Policy> {
  return { ...policy, coverage_left_fen: await coverageLeft(db, policy, now) };
}

/** Holds an order's insurer share on the policy's coverage; false when less is left (a concurrent order took it). */
export async function holdCoverage(
  trx: Db,
  policyNo: string,
  orderNo: string,
  amountFen: number,
  timeoutAt: number,
  now: number,
): Promise<boolean> {
  try {
    await reserve(trx, {
      key: coverageHoldKey(orderNo),
      from: Accounts.policyCoverage(policyNo),
      to: Accounts.coverageIssued,
      amountFen,
      timeoutAt,
      orderNo,
      memo: 'coverage hold for an open order',
      now,
    });
    return true;
  } catch (err) {
    if (err instanceof InsufficientFunds) return false;
    throw err;
  }
}

/** The order was paid: its coverage hold becomes a posted use of the coverage. Idempotent. */
export async function useCoverage(trx: Db, orderNo: string, now: number): Promise<void> {
  await postPending(trx, coverageHoldKey(orderNo), { transferKey: coverageUseKey(orderNo), memo: 'coverage used by a paid order', now });
}

/** The order closed unpaid: its coverage goes back to the policy. */
export async function releaseCoverageHold(trx: Db, orderNo: string, now: number): Promise<void> {
  await voidPending(trx, coverageHoldKey(orderNo), now);
}
