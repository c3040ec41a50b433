import express, { type Express } from 'express';
import { JobRunner } from '../../infra/outbox/job-runner';
import type { JobHandler } from '../../infra/outbox/jobs';
import { LocalDiskStorage } from '../../infra/storage/local-disk.storage';
import type { ObjectStorage } from '../../infra/storage/storage';
import type { AppServices } from '../../server/context';
import { acknowledgementHandler } from './acknowledgement/acknowledgement.job';
import { DOWNLOAD_PATH } from './attachments/download-link';
import { downloadHandler } from './attachments/download.route';
import { FIRST_SWEEP_AFTER_MS, uploadSweep, uploadSweepHandler } from './attachments/upload-sweep.job';
import { uploadHandler } from './attachments/upload.route';
import { Mailer } from './email/mailer';
import { notificationMailHandler, NotificationMailSubscriber } from './email/notification-mail';
import { GraphApi } from './messenger/graph-api';
import { messengerInboundHandler } from './messenger/messenger.inbound';
import { messengerOutboundHandler } from './messenger/messenger.outbound';
import { MESSENGER_WEBHOOK_PATH, receiveHandler, verifyHandler } from './messenger/messenger.webhook';

/** Meta's deliveries are small; anything near this is not one of them. */
const WEBHOOK_BODY_LIMIT = '1mb';

/** The channels of one app instance: file storage, the outside services, and the job worker behind them. */
export interface Channels {
  storage: ObjectStorage;
  jobs: JobRunner;
  /** Mounts `/uploads`, `/attachments/:id` and `/webhooks/messenger`. */
  mount(app: Express): void;
  /** Starts the job worker (unless JOBS_WORKER=false) and makes sure abandoned uploads get swept. */
  start(): void;
  /** Stops the worker after its running jobs, then closes the SMTP connection. */
  stop(): Promise<void>;
}

/**
 * Builds what the configuration turns on: Messenger with MESSENGER_*, e-mail with SMTP_URL,
 * acknowledgements with AUTO_ACK_DELAY_MS > 0. Jobs are only queued for what is on.
 */
export function createChannels(app: AppServices, databaseUrl: string): Channels {
  const { config } = app;
  const storage = new LocalDiskStorage(config.uploads.dir);
  const handlers: JobHandler<never>[] = [
    acknowledgementHandler(app) as JobHandler<never>,
    // The sweep schedules its successor through the runner built below (called only once running).
    uploadSweepHandler(app, storage, (spec) => jobs.enqueue(spec)) as JobHandler<never>,
  ];
  if (config.messenger) {
    const graph = new GraphApi(config.messenger);
    handlers.push(messengerInboundHandler(app, graph, storage) as JobHandler<never>, messengerOutboundHandler(app, graph) as JobHandler<never>);
  }
  const mailer = config.mail.smtpUrl ? new Mailer(config.mail.smtpUrl, config.mail.from) : undefined;
  if (mailer) {
    handlers.push(notificationMailHandler(app, mailer) as JobHandler<never>);
    app.orm.em.getEventManager().registerSubscriber(new NotificationMailSubscriber());
  }
  const jobs = new JobRunner(databaseUrl, handlers, config.jobs, app.logger.child({ component: 'jobs' }));
  let scheduling: Promise<unknown> = Promise.resolve();

  return {
    storage,
    jobs,
    mount(http) {
      http.post('/uploads', uploadHandler(app, storage));
      http.get(`${DOWNLOAD_PATH}/:id`, downloadHandler(app, storage));
      http.get(MESSENGER_WEBHOOK_PATH, verifyHandler(app));
      http.post(MESSENGER_WEBHOOK_PATH, express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), receiveHandler(app, () => jobs.wake()));
    },
    start() {
      if (config.jobs.worker) jobs.start();
      scheduling = jobs.enqueue(uploadSweep(FIRST_SWEEP_AFTER_MS)).catch((error: unknown) => app.logger.warn({ err: error }, 'could not schedule the upload sweep'));
    },
    async stop() {
      await scheduling;
      await jobs.stop();
      mailer?.close();
    },
  };
}
