// Work a transaction runs just before its commit (inside it: an error there rolls the whole transaction back).
// `inTransaction` opens the list; the ledger uses it to apply the balance updates it deferred (ledger/deferred.ts).

const lists = new WeakMap<object, Array<() => Promise<void>>>();

/** Runs `fn` with a before-commit list for `trx`, then the list's work in order (work added meanwhile runs too). */
export async function withBeforeCommit<T>(trx: object, fn: () => Promise<T>): Promise<T> {
  const list: Array<() => Promise<void>> = [];
  lists.set(trx, list);
  try {
    const result = await fn();
    for (let i = 0; i < list.length; i++) await list[i]!();
    return result;
  } finally {
    lists.delete(trx);
  }
}

/** Adds work to run before `trx` commits; false when `trx` has no list (not opened by `inTransaction`, or plain `db`). */
export function beforeCommit(trx: object, work: () => Promise<void>): boolean {
  const list = lists.get(trx);
  if (!list) return false;
  list.push(work);
  return true;
}
