// The double-entry ledger (nothing but it writes balances; each transfer moves money between two accounts of one
// book, so each book sums to zero after every commit): accounts, balanced transfers with idempotency keys, checks.
export { Accounts, accountSpec, balanceOf, ensureAccount, InsufficientFunds, type AccountSpec, type Book } from './accounts.ts';
export { transfer, type TransferInput, type TransferResult } from './transfers.ts';
export { checkLedger, type LedgerCheck } from './checks.ts';
export { listAccounts, transferByKey, transfersOfOrder } from './views.ts';
