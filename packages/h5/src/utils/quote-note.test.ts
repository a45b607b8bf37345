// The confirm page's explanation of the insurer's share: zero under the deductible, capped by coverage, or the ratio.
import { quote } from '@zf/shared';
import type { PolicyQuote, PolicySummary } from '@zf/shared';
import { describe, expect, it } from 'vitest';
import { PAIC_POLICY, PICC_QUOTE } from '@/test-utils/fixtures.ts';
import { explainQuote } from './quote-note.ts';

function quoteOf(policy: PolicySummary, amountFen: number): PolicyQuote {
  const q = quote(amountFen, { ratioBp: policy.ratio_bp, deductibleFen: policy.deductible_fen, coverageLeftFen: policy.coverage_left_fen });
  return { policy, amount_fen: amountFen, insurer_fen: q.insurerFen, self_pay_fen: q.selfPayFen };
}

describe('explainQuote', () => {
  it('says the insurer pays nothing when the bill does not exceed the deductible', () => {
    expect(explainQuote(quoteOf(PAIC_POLICY, 8_000))).toEqual({
      kind: 'under_deductible',
      text: '账单金额未超过免赔额 ¥100.00，本次保险公司不承担，需您全额自付。',
    });
  });

  it('says the share is capped by the coverage left', () => {
    // PAIC: 100 %, deductible 100.00, 500.00 left; a bill of 1 000.00 would be 900.00 by the ratio.
    expect(explainQuote(quoteOf(PAIC_POLICY, 100_000))).toEqual({
      kind: 'capped',
      text: '按报销比例应赔 ¥900.00，但保单剩余保额仅 ¥500.00，保险公司最多支付 ¥500.00，其余由您自付。',
    });
  });

  it('shows the rule otherwise, with the deductible when there is one', () => {
    expect(explainQuote(PICC_QUOTE)).toEqual({ kind: 'ratio', text: '保险公司支付 = 账单 ¥1,234.56 × 报销比例 80% = ¥987.64。' });
    expect(explainQuote(quoteOf(PAIC_POLICY, 30_000)).text).toBe(
      '保险公司支付 = （账单 ¥300.00 − 免赔额 ¥100.00）× 报销比例 100% = ¥200.00。',
    );
  });
});
