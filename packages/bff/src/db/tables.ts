// The Database interface: every table of our own database, each defined beside the module that owns it.
import type { AdminSessionTable, AdminUserTable, AuditLogTable } from '../modules/admin/admin.table.ts';
import type { AlertPushTable, AlertTable, ClearingTaskTable } from '../modules/alert/alert.table.ts';
import type { CallbackDeliveryTable, CallbackEventTable } from '../modules/callback/callback.table.ts';
import type { BoundCardTable, SmsChallengeTable } from '../modules/card/card.table.ts';
import type { OrderTable } from '../modules/order/order.table.ts';
import type { PaymentAttemptTable, ProviderNotificationTable } from '../modules/payment/payment.table.ts';
import type { PartnerNonceTable, RefundTable } from '../modules/refund/refund.table.ts';
import type { PolicyTable } from '../modules/policy/policy.table.ts';
import type { ReconcileDifferenceTable, ReconcileRunTable } from '../modules/reconcile/reconcile.table.ts';
import type { RateLimitTable } from '../modules/ratelimit/ratelimit.table.ts';
import type { ClaimTable, PartnerTable, UserTable } from '../modules/session/session.table.ts';
import type { LedgerAccountTable, LedgerEntryTable, LedgerPendingTable, LedgerTransferTable } from '../ledger/ledger.table.ts';
import type { QuotaThresholdTable, QuotaTotalTable } from '../modules/quota/quota.table.ts';

/** Our own database (the api_core_v2 quota tables are reached through their own connection). */
export interface Database {
  partners: PartnerTable;
  users: UserTable;
  claims: ClaimTable;
  policies: PolicyTable;
  orders: OrderTable;
  payment_attempts: PaymentAttemptTable;
  bound_cards: BoundCardTable;
  sms_challenges: SmsChallengeTable;
  ledger_accounts: LedgerAccountTable;
  ledger_transfers: LedgerTransferTable;
  ledger_entries: LedgerEntryTable;
  ledger_pending: LedgerPendingTable;
  quota_totals: QuotaTotalTable;
  quota_thresholds: QuotaThresholdTable;
  alerts: AlertTable;
  clearing_tasks: ClearingTaskTable;
  callback_events: CallbackEventTable;
  callback_deliveries: CallbackDeliveryTable;
  provider_notifications: ProviderNotificationTable;
  admin_users: AdminUserTable;
  audit_log: AuditLogTable;
  admin_sessions: AdminSessionTable;
  alert_pushes: AlertPushTable;
  refunds: RefundTable;
  partner_nonces: PartnerNonceTable;
  rate_limits: RateLimitTable;
  reconcile_runs: ReconcileRunTable;
  reconcile_differences: ReconcileDifferenceTable;
}
