#!/usr/bin/env node
// Adds package-lock.json entries for the platform-specific optional packages (@swc/core-darwin-arm64,
// @unrs/resolver-binding-win32-x64-msvc, …) that the npm registry mirror we install from does not
// carry. npm leaves them out of the lock when it cannot fetch them, and `npm ci` then refuses the
// lock ("Missing: … from lock file"). An entry naming version, os, cpu and libc is what npm itself
// would write: installs on this platform skip it, other platforms fetch it from their registry.
// Run after `npm install` changes the lock:  node scripts/lockfile-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

/** `core-linux-arm-gnueabihf` → os linux, cpu arm, libc glibc. */
function platformOf(name) {
  const suffix = name.split('/').pop();
  const match = /(android|darwin|freebsd|linux|openharmony|win32)-(arm64|arm|ia32|x64|ppc64|s390x|riscv64|loong64)(?:-(gnu|musl)\w*)?/.exec(suffix);
  if (!match) return null;
  const [, os, cpu, libc] = match;
  return { os: [os], cpu: [cpu], ...(libc ? { libc: [libc === 'gnu' ? 'glibc' : 'musl'] } : {}) };
}

const added = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform) continue;
    // Keys in the order npm writes them, so a later `npm install` leaves the file as it is.
    packages[`node_modules/${name}`] = {
      version,
      cpu: platform.cpu,
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: platform.libc } : {}),
      optional: true,
      os: platform.os,
    };
    added.push(`${name}@${version}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.length} platform entries:\n  ${added.join('\n  ')}` : 'the lock already lists every platform package');
