import { ConfigError, loadConfig } from '../../src/config';

function problemsWith(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig', () => {
  it('starts from sensible defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      redisUrl: undefined,
      jwtSecretGenerated: true,
      migrateOnStart: true,
      logLevel: 'info',
      embeddedPgDir: '.data/postgres',
      admin: undefined,
    });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 4000, databaseUrl: undefined });
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://parley@db:5432/parley',
      REDIS_URL: 'redis://cache:6379',
      JWT_SECRET: 'x'.repeat(32),
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_DAYS: '7',
      ADMIN_EMAIL: 'root@example.com',
      ADMIN_PASSWORD: 'long enough',
      MIGRATE_ON_START: 'no',
      LOG_LEVEL: 'debug',
      EMBEDDED_PG_DIR: '/var/lib/parley',
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://parley@db:5432/parley',
      redisUrl: 'redis://cache:6379',
      jwtSecret: 'x'.repeat(32),
      jwtSecretGenerated: false,
      accessTokenTtlSeconds: 60,
      refreshTokenTtlDays: 7,
      admin: { email: 'root@example.com', password: 'long enough' },
      migrateOnStart: false,
      logLevel: 'debug',
      embeddedPgDir: '/var/lib/parley',
    });
  });

  it('rejects a PORT that is not a number, naming it', () => {
    expect(problemsWith({ PORT: 'abc' })).toBe('Invalid configuration:\n  PORT: must be a number');
  });

  it('rejects a PORT out of range', () => {
    expect(problemsWith({ PORT: '70000' })).toContain('PORT: must be from 0 to 65535');
  });

  it('requires JWT_SECRET in production', () => {
    expect(problemsWith({ NODE_ENV: 'production' })).toContain('JWT_SECRET: required when NODE_ENV=production');
  });

  it('rejects a JWT_SECRET shorter than 32 characters', () => {
    expect(problemsWith({ JWT_SECRET: 'short' })).toContain('JWT_SECRET: must be at least 32 characters');
  });

  it('names every bad variable at once, rules between variables included', () => {
    const message = problemsWith({ NODE_ENV: 'production', PORT: '70000', LOG_LEVEL: 'loud', DATABASE_URL: 'not a url', MIGRATE_ON_START: 'maybe' });
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'MIGRATE_ON_START', 'JWT_SECRET']) expect(message).toMatch(new RegExp(`^ {2}${name}: `, 'm'));
  });

  it('wants ADMIN_EMAIL and ADMIN_PASSWORD together', () => {
    expect(problemsWith({ ADMIN_EMAIL: 'root@example.com' })).toContain('ADMIN_PASSWORD: required with ADMIN_EMAIL');
    expect(problemsWith({ ADMIN_PASSWORD: 'long enough' })).toContain('ADMIN_EMAIL: required with ADMIN_PASSWORD');
  });

  it('reports the problem in its message, not in a stack trace', () => {
    const message = problemsWith({ PORT: 'abc' });
    expect(message).not.toMatch(/\n\s+at /);
  });
});
