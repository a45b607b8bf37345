// The insured's policies: insurer, ratio, deductible and the coverage left.
import type { Selectable } from 'kysely';

export interface PolicyTable {
  policy_no: string;
  user_id: string;
  ic_code: string;
  insurer_name: string;
  product_name: string;
  ratio_bp: number;
  deductible_fen: number;
  coverage_left_fen: number;
  valid_from: string;
  valid_to: string;
  status: 'active' | 'cancelled';
  created_at: number;
}

export type Policy = Selectable<PolicyTable>;
