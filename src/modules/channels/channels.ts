import type { Express } from 'express';
import { LocalDiskStorage } from '../../infra/storage/local-disk.storage';
import type { ObjectStorage } from '../../infra/storage/storage';
import type { AppServices } from '../../server/context';
import { DOWNLOAD_PATH } from './attachments/download-link';
import { downloadHandler } from './attachments/download.route';
import { uploadHandler } from './attachments/upload.route';

/** The channels of one app instance: file storage, and the routes that use it. */
export interface Channels {
  storage: ObjectStorage;
  /** Mounts `/uploads` and `/attachments/:id`. */
  mount(app: Express): void;
  start(): void;
  stop(): Promise<void>;
}

export function createChannels(app: AppServices, _databaseUrl: string): Channels {
  const storage = new LocalDiskStorage(app.config.uploads.dir);
  return {
    storage,
    mount(http) {
      http.post('/uploads', uploadHandler(app, storage));
      http.get(`${DOWNLOAD_PATH}/:id`, downloadHandler(app, storage));
    },
    start() {},
    async stop() {},
  };
}
