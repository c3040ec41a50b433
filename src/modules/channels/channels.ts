import type { Express } from 'express';
import { JobRunner } from '../../infra/outbox/job-runner';
import type { JobHandler } from '../../infra/outbox/jobs';
import { LocalDiskStorage } from '../../infra/storage/local-disk.storage';
import type { ObjectStorage } from '../../infra/storage/storage';
import type { AppServices } from '../../server/context';
import { acknowledgementHandler } from './acknowledgement/acknowledgement.job';
import { DOWNLOAD_PATH } from './attachments/download-link';
import { downloadHandler } from './attachments/download.route';
import { uploadHandler } from './attachments/upload.route';

/** The channels of one app instance: file storage, and the job worker behind scheduled work. */
export interface Channels {
  storage: ObjectStorage;
  jobs: JobRunner;
  /** Mounts `/uploads` and `/attachments/:id`. */
  mount(app: Express): void;
  /** Starts the job worker (unless JOBS_WORKER=false). */
  start(): void;
  /** Stops the worker after its running jobs. */
  stop(): Promise<void>;
}

/** Builds what the configuration turns on: acknowledgements with AUTO_ACK_DELAY_MS > 0. */
export function createChannels(app: AppServices, databaseUrl: string): Channels {
  const { config } = app;
  const storage = new LocalDiskStorage(config.uploads.dir);
  const handlers: JobHandler<never>[] = [acknowledgementHandler(app) as JobHandler<never>];
  const jobs = new JobRunner(databaseUrl, handlers, config.jobs, app.logger.child({ component: 'jobs' }));

  return {
    storage,
    jobs,
    mount(http) {
      http.post('/uploads', uploadHandler(app, storage));
      http.get(`${DOWNLOAD_PATH}/:id`, downloadHandler(app, storage));
    },
    start() {
      if (config.jobs.worker) jobs.start();
    },
    async stop() {
      await jobs.stop();
    },
  };
}
