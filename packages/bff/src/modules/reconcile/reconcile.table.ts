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
  /** A running run's heartbeat: past it, the run is taken as dead and the next claim marks it failed. */
  lease_until: number | null;
  started_at: number;
  finished_at: number | null;
  orders: number;
  orders_done: number;
  insurers: number;
  provider_checks: number;
  difference_count: number;
  error: string | null;
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
