import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueJob, type JobHandler } from '../../../infra/outbox/jobs';
import type { ObjectStorage } from '../../../infra/storage/storage';
import type { AppServices } from '../../../server/context';

export const SWEEP_UPLOADS = 'attachments.sweep';

/** An upload nobody sent within a day is abandoned: its bytes only cost space. */
const ABANDONED_AFTER_HOURS = 24;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
const BATCH = 500;

/**
 * Queues the next sweep, at most one per hour across every instance (the hour is the dedupe key).
 * Called at start and by each sweep for the one after it.
 */
export async function scheduleUploadSweep(em: EntityManager, delayMs = 0): Promise<void> {
  const due = new Date(Date.now() + delayMs);
  await enqueueJob(em, { kind: SWEEP_UPLOADS, payload: {}, delayMs, dedupeKey: `uploads-sweep:${due.toISOString().slice(0, 13)}` });
}

/**
 * Deletes uploads that were never attached to a message within a day, rows first (a concurrent
 * `sendMessage` that links one holds its row, so it is either linked or deleted, never both), then
 * their bytes. A crash between the two leaves bytes without a row: harmless, and rare.
 */
export function uploadSweepHandler(app: AppServices, storage: ObjectStorage): JobHandler {
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
      await em.transactional((tx) => scheduleUploadSweep(tx as EntityManager, SWEEP_EVERY_MS));
    },
  };
}
