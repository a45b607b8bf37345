// Frozen: an index on (ic_code, created_at, type, amount) of the api_core_v2 records, which the quota book reads
// by time after its watermark (a covering index: the tail sum never touches the rows). Production asks the owners
// of api_core_v2 for the same index (docs/architecture.md, "Insurer quota at flat cost").
import type { Kysely } from 'kysely';

export function quotaCreatedIndex(recordTable: string) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createIndex(`${recordTable}_ic_created`)
        .on(recordTable)
        .columns(['ic_code', 'created_at', 'type', 'amount'])
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex(`${recordTable}_ic_created`).on(recordTable).execute();
    },
  };
}
