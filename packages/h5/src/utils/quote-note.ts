// Why the insurer pays what it pays, in words, from the quote's own fields (SPEC §3.4, `quote` in @zf/shared):
// X = min(coverage left, max(0, amount − deductible) × ratio), rounded down to the fen.
import { applyRatioFloor, formatCny } from '@zf/shared';
import type { PolicyQuote } from '@zf/shared';
import { formatRatio } from './format.ts';

/** How the share came about: under the deductible, capped by the coverage left, or the plain rule. */
export type QuoteCase = 'under_deductible' | 'capped' | 'ratio';

/** The case and a sentence for the confirm page. */
export interface QuoteNote {
  kind: QuoteCase;
  text: string;
}

/** Explains `q`: why the insurer's share is zero, capped, or the ratio of what exceeds the deductible. */
export function explainQuote(q: PolicyQuote): QuoteNote {
  const { policy } = q;
  const overDeductible = Math.max(0, q.amount_fen - policy.deductible_fen);
  if (overDeductible === 0) {
    return {
      kind: 'under_deductible',
      text: `账单金额未超过免赔额 ${formatCny(policy.deductible_fen)}，本次保险公司不承担，需您全额自付。`,
    };
  }
  const byRatio = applyRatioFloor(overDeductible, policy.ratio_bp);
  if (byRatio > q.insurer_fen && q.insurer_fen >= policy.coverage_left_fen) {
    return {
      kind: 'capped',
      text: `按报销比例应赔 ${formatCny(byRatio)}，但保单剩余保额仅 ${formatCny(policy.coverage_left_fen)}，保险公司最多支付 ${formatCny(q.insurer_fen)}，其余由您自付。`,
    };
  }
  const deductible =
    policy.deductible_fen > 0
      ? `（账单 ${formatCny(q.amount_fen)} − 免赔额 ${formatCny(policy.deductible_fen)}）`
      : `账单 ${formatCny(q.amount_fen)} `;
  return {
    kind: 'ratio',
    text: `保险公司支付 = ${deductible}× 报销比例 ${formatRatio(policy.ratio_bp)} = ${formatCny(q.insurer_fen)}。`,
  };
}
