// Valid policies of a claim's user and the quote (SPEC §3.3, §3.4).
import { quote, type PolicyList, type PolicyQuote, type PolicySummary } from '@zf/shared';
import type { Db } from '../../db/database.ts';
import type { Policy } from './policy.table.ts';
import { findPolicy, policiesInForce } from './policy.repository.ts';
import { withCoverageLeft } from './policy-coverage.ts';
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { fail } from '../../http/errors.ts';
import type { Session } from '../../http/session-token.ts';

/** Today's date (YYYY-MM-DD) in Asia/Shanghai, the insurers' calendar. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

/** In force today and with coverage left (`coverage_left_fen` as {@link withCoverageLeft} sets it). */
export function isPolicyValid(p: Policy, today: string): boolean {
  return p.status === 'active' && p.valid_from <= today && today <= p.valid_to && Number(p.coverage_left_fen) > 0;
}

export function toPolicySummary(p: Policy): PolicySummary {
  return {
    policy_no: p.policy_no,
    insurer_code: p.ic_code,
    insurer_name: p.insurer_name,
    product_name: p.product_name,
    ratio_bp: Number(p.ratio_bp),
    deductible_fen: Number(p.deductible_fen),
    coverage_left_fen: Number(p.coverage_left_fen),
    valid_from: p.valid_from,
    valid_to: p.valid_to,
  };
}

/** The session user's valid policies; ZF0040 when there is none. */
export async function listValidPolicies(deps: Deps, session: Session): Promise<PolicyList> {
  const now = deps.clock.now();
  const today = shanghaiDate(now);
  const inForce = await policiesInForce(deps.db, session.userId, today);
  const rows = (await inTransaction(deps.db, (trx) => Promise.all(inForce.map((p) => withCoverageLeft(trx, p, now))))).filter((p) =>
    isPolicyValid(p, today),
  );
  if (rows.length === 0) return fail('ZF0040');
  return { amount_fen: session.amountFen, policies: rows.map(toPolicySummary) };
}

/** Loads one of the session user's valid policies (inside a transaction when given one); ZF0050 otherwise. */
export async function usablePolicy(db: Db, session: Session, policyNo: string, now: number): Promise<Policy> {
  const found = await findPolicy(db, policyNo);
  const policy = found && (await withCoverageLeft(db, found, now));
  if (!policy || policy.user_id !== session.userId || !isPolicyValid(policy, shanghaiDate(now))) return fail('ZF0050', 'policy not usable');
  return policy;
}

/** Insurer share and self-pay of the session's amount under a policy. */
export async function quotePolicy(deps: Deps, session: Session, policyNo: string): Promise<PolicyQuote> {
  const now = deps.clock.now();
  const policy = await inTransaction(deps.db, (trx) => usablePolicy(trx, session, policyNo, now));
  const q = quote(session.amountFen, termsOf(policy));
  return { policy: toPolicySummary(policy), amount_fen: q.amountFen, insurer_fen: q.insurerFen, self_pay_fen: q.selfPayFen };
}

export function termsOf(p: Policy) {
  return { ratioBp: Number(p.ratio_bp), deductibleFen: Number(p.deductible_fen), coverageLeftFen: Number(p.coverage_left_fen) };
}
