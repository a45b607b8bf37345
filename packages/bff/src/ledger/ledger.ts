// The double-entry ledger (nothing but it writes balances; each transfer moves money between two accounts of one
// book, so each book sums to zero after every commit): accounts, balanced transfers with idempotency keys, two-phase
// (pending) transfers, checks.
export { Accounts, accountSpec, ensureAccount, InsufficientFunds, type AccountSpec, type Book } from './accounts.ts';
export { balanceOf, balancesOf, type AccountBalances } from './balances.ts';
export { transfer, type TransferInput, type TransferResult } from './transfers.ts';
export {
  expirePending,
  pendingState,
  postPending,
  reserve,
  voidPending,
  type PendingInput,
  type PendingResult,
  type PostOutcome,
} from './pending.ts';
export { checkLedger, ledgerIsClean, type LedgerCheck } from './checks.ts';
export { listAccounts, transferByKey, transfersOfOrder } from './views.ts';
