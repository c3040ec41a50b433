import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobHandler, JobSpec } from '../../../infra/outbox/jobs';
import type { ObjectStorage } from '../../../infra/storage/storage';
import type { AppServices } from '../../../server/context';

export const SWEEP_UPLOADS = 'attachments.sweep';

/** An upload nobody sent within a day is abandoned: its bytes only cost space. */
const ABANDONED_AFTER_HOURS = 24;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
/** The first sweep after a start: not at once, so a restart loop cannot turn into a sweep loop. */
export const FIRST_SWEEP_AFTER_MS = 15 * 60 * 1000;
const BATCH = 500;

/** A sweep due in `delayMs`; at most one per hour across every instance (the hour is the dedupe key). */
export function uploadSweep(delayMs: number): JobSpec {
  const due = new Date(Date.now() + delayMs);
  return { kind: SWEEP_UPLOADS, payload: {}, delayMs, dedupeKey: `uploads-sweep:${due.toISOString().slice(0, 13)}` };
}

/**
 * Deletes uploads that were never attached to a message within a day, rows first (a concurrent
 * `sendMessage` that links one holds its row, so it is either linked or deleted, never both), then
 * their bytes. A crash between the two leaves bytes without a row: harmless, and rare.
 */
export function uploadSweepHandler(app: AppServices, storage: ObjectStorage, schedule: (spec: JobSpec) => Promise<unknown>): JobHandler {
  return {
    kind: SWEEP_UPLOADS,
    maxAttempts: 3,
    async run() {
      const em = app.orm.em.fork() as EntityManager;
      for (;;) {
        const rows = await em.getConnection().execute<{ storage_key: string }[]>(
          `delete from attachments where id in (
             select id from attachments where message_id is null and created_at < now() - ? * interval '1 hour' limit ? for update skip locked)
           returning storage_key`,
          [ABANDONED_AFTER_HOURS, BATCH],
        );
        for (const row of rows) await storage.delete(row.storage_key);
        if (rows.length) app.logger.info({ count: rows.length }, 'deleted abandoned uploads');
        if (rows.length < BATCH) break;
      }
      await schedule(uploadSweep(SWEEP_EVERY_MS));
    },
  };
}
