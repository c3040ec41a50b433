import type { Readable } from 'node:stream';

/**
 * Where file bytes live. Metadata (name, type, size, who may read it) stays in PostgreSQL; this
 * only stores and returns bytes under opaque keys. Local disk implements it today; an object store
 * (S3, GCS, R2) implements the same four calls.
 */
export interface ObjectStorage {
  /**
   * Streams `body` under `key`. The object appears whole or not at all: when the stream fails
   * (a size limit, a client gone), nothing is left under the key.
   */
  put(key: string, body: Readable, meta: { contentType: string }): Promise<{ size: number }>;
  /** The bytes under `key`; rejects with `ObjectNotFoundError` when there are none. */
  get(key: string): Promise<Readable>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(key: string) {
    super(`No stored object under ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** Keys are ours, never derived from user input: lower-case, digits, `-`, `_` and `/` separators. */
export const STORAGE_KEY = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/;
