import type { Express } from 'express';

/** GET /graphiql: the admin explorer, served from npm packages (no CDN). */
export function mountExplorer(_app: Express): void {
  // Filled in by the explorer work (served bundle, graphql-ws and bearer-token wiring).
}
