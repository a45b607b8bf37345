// The one definition of "due" for the leased work queues (the callback outbox, the alert pushes): a row is due when it
// is pending and its time has come, or when it is being sent and its sender's lease ran out (a crashed or stalled
// instance). Claims re-check it in their conditional UPDATE, so several instances share a queue without SKIP LOCKED.
import { sql, type RawBuilder, type SqlBool } from 'kysely';

/** `status`, `next_attempt_at` and `lease_until` of the queue's table, as of `now` (epoch ms). */
export const dueOrLeaseLapsed = (now: number): RawBuilder<SqlBool> =>
  sql<SqlBool>`((status = 'pending' and next_attempt_at <= ${now}) or (status = 'sending' and lease_until < ${now}))`;
