import { z } from 'zod';

export const PolicySummary = z.object({
  policy_no: z.string(),
  insurer_code: z.string(),
  insurer_name: z.string(),
  product_name: z.string(),
  ratio_bp: z.number().int(),
  deductible_fen: z.number().int(),
  coverage_left_fen: z.number().int(),
  valid_from: z.string(),
  valid_to: z.string(),
});
export type PolicySummary = z.infer<typeof PolicySummary>;

export const PolicyList = z.object({ amount_fen: z.number().int(), policies: z.array(PolicySummary) });
export type PolicyList = z.infer<typeof PolicyList>;

export const PolicyQuote = z.object({
  policy: PolicySummary,
  amount_fen: z.number().int(),
  insurer_fen: z.number().int(),
  self_pay_fen: z.number().int(),
});
export type PolicyQuote = z.infer<typeof PolicyQuote>;
