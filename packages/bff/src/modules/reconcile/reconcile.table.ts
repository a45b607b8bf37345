// The stored reconciliation runs (the daily job, `pnpm reconcile`, the console's 立即对账) and their differences.
import type { Selectable } from 'kysely';

export interface ReconcileRunTable {
  id: string;
  /** The window: orders created in [since, until). */
  since: number;
  until: number;
  /** `job`, `cli` or `admin:<username>`. */
  ran_by: string;
  state: 'running' | 'done' | 'failed';
  /** `run` while running, null after: the unique index lets one run at a time hold it (claimed by insert). */
  active: string | null;
  /** A running run's lease, renewed by its checkpoints: past it, the run is resumed by another instance (or failed by a new claim). */
  lease_until: number | null;
  started_at: number;
  finished_at: number | null;
  orders: number;
  orders_done: number;
  insurers: number;
  provider_checks: number;
  difference_count: number;
  error: string | null;
  /** The lease holder's token: every write of a running run is conditional on it. */
  claim_token: string | null;
  /** The last order checked at the last checkpoint (created_at, order_no): a resumed run continues after it. */
  cursor_at: number | null;
  cursor_no: string | null;
  /** How many times another instance claimed the run's expired lease and continued it. */
  resumes: number;
}

export interface ReconcileDifferenceTable {
  run_id: string;
  seq: number;
  check_name: string;
  order_no: string | null;
  ic_code: string | null;
  detail: string;
}

export type ReconcileRun = Selectable<ReconcileRunTable>;
