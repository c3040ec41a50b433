import path from 'node:path';

/** bench/ */
export const BENCH_ROOT = path.resolve(__dirname, '..');
/** The repository. */
export const PROJECT_ROOT = path.dirname(BENCH_ROOT);
/** Scratch space: the build, logs, profiles, peers' installs (ignored by git). */
export const WORK_DIR = path.join(BENCH_ROOT, '.work');
