import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express, Request, Response } from 'express';

const requireFromHere = createRequire(__filename);

function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(requireFromHere.resolve(`${pkg}/package.json`)), file);
}

const DEFAULT_QUERY = `# Parley API explorer
#
# Sign in with the login mutation, then paste its token
# into Headers below:
#   {"Authorization": "Bearer <token>"}
# Subscriptions (graphql-ws, same origin) send it too.
#
# mutation {
#   login(input: {
#     email: "admin@parley.local"
#     password: "parley-admin"
#   }) { token }
# }

{
  __typename
}
`;

/**
 * The browser side: GraphiQL with a fetcher that sends queries and mutations over HTTP and
 * subscriptions over graphql-ws, both to this origin. The Authorization header from the headers
 * editor also goes into the websocket's connectionParams; when it changes the socket is replaced,
 * because graphql-ws authenticates once per connection.
 */
function clientScript(): string {
  return `(function () {
  'use strict';
  var httpUrl = new URL('/graphql', window.location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws');
  var wsClient = null;
  var wsAuthorization;

  function authorizationOf(headers) {
    for (var name in headers || {}) {
      if (name.toLowerCase() === 'authorization') return String(headers[name]);
    }
    return undefined;
  }

  function wsClientFor(authorization) {
    if (wsClient && wsAuthorization === authorization) return wsClient;
    if (wsClient) wsClient.dispose();
    wsAuthorization = authorization;
    wsClient = graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      connectionParams: authorization ? { authorization: authorization } : {},
    });
    return wsClient;
  }

  // GraphiQL decides between HTTP and the websocket from options.documentAST, which can lag behind
  // the editor by a keystroke; parsing the query that is actually sent settles it.
  function withDocument(params, options) {
    try {
      return Object.assign({}, options, { documentAST: GraphiQL.GraphQL.parse(params.query) });
    } catch (error) {
      return options;
    }
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var send = GraphiQL.createFetcher({ url: httpUrl, wsClient: wsClientFor(authorizationOf(headers)) });
    return send(params, withDocument(params, options));
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: true,
    }),
  );
})();
`;
}

/**
 * Every file the explorer page loads, each a prebuilt file of an npm package (or the small
 * bootstrap below): nothing comes from a CDN, so the admin explorer works offline.
 * GraphiQL 4's UMD build expects React 18's UMD globals (React 19 ships no UMD build).
 */
const ASSETS: Record<string, { file: string; type: string } | { body: string; type: string }> = {
  'react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'graphql-ws.js': { file: packageFile('graphql-ws', 'umd/graphql-ws.min.js'), type: 'text/javascript' },
  'explorer.js': { body: clientScript(), type: 'text/javascript' },
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Parley · GraphiQL</title>
    <link rel="stylesheet" href="/graphiql/assets/graphiql.css" />
    <style>
      html, body, #graphiql { height: 100%; margin: 0; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading the explorer…</div>
    <script src="/graphiql/assets/react.js"></script>
    <script src="/graphiql/assets/react-dom.js"></script>
    <script src="/graphiql/assets/graphql-ws.js"></script>
    <script src="/graphiql/assets/graphiql.js"></script>
    <script src="/graphiql/assets/explorer.js"></script>
  </body>
</html>
`;

/** Same-origin only; the websocket is named explicitly because older browsers do not count ws: as 'self'. */
function contentSecurityPolicy(req: Request): string {
  const host = req.get('host');
  const sockets = host && /^[\w.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    `connect-src 'self'${sockets}`,
    // GraphiQL sets inline styles on its panes; its fonts and icons are data: URLs in its CSS.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** GET /graphiql: the admin explorer, served from npm packages (no CDN). */
export function mountExplorer(app: Express): void {
  app.get('/graphiql', (req, res) => {
    res.set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': contentSecurityPolicy(req),
      'x-content-type-options': 'nosniff',
    });
    res.send(PAGE);
  });

  app.get('/graphiql/assets/:name', (req: Request<{ name: string }>, res: Response, next) => {
    const asset = Object.hasOwn(ASSETS, req.params.name) ? ASSETS[req.params.name] : undefined;
    if (!asset) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.set({ 'content-type': `${asset.type}; charset=utf-8`, 'x-content-type-options': 'nosniff' });
    if ('body' in asset) {
      res.set('cache-control', 'no-cache').send(asset.body);
      return;
    }
    // The package files change only with an upgrade; revalidating by ETag keeps reloads cheap.
    res.sendFile(asset.file, { headers: { 'cache-control': 'public, max-age=3600' } }, (error) => {
      if (error) next(error);
    });
  });
}
