import { startTestServer, type TestServer } from '../../support/server';

describe('GET /graphiql', () => {
  let server: TestServer;
  let origin: string;

  beforeAll(async () => {
    server = await startTestServer();
    origin = new URL(server.url).origin;
  });
  afterAll(() => server.stop());

  async function page(): Promise<{ html: string; urls: URL[]; response: Response }> {
    const response = await fetch(`${origin}/graphiql`);
    const html = await response.text();
    const urls = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((match) => new URL(match[1], `${origin}/graphiql`));
    return { html, urls, response };
  }

  it('serves an HTML page that loads GraphiQL', async () => {
    const { response, html } = await page();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('id="graphiql"');
  });

  it('references only same-origin URLs, so it works without internet access', async () => {
    const { urls } = await page();
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) expect(url.origin).toBe(origin);
  });

  it('forbids other origins in its content security policy', async () => {
    const { response } = await page();
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).not.toMatch(/https?:\/\//);
  });

  it('serves every asset the page references', async () => {
    const { urls } = await page();
    for (const url of urls) {
      const response = await fetch(url);
      expect({ url: url.pathname, status: response.status }).toEqual({ url: url.pathname, status: 200 });
      expect(response.headers.get('content-type')).toMatch(/^(text\/javascript|text\/css)/);
      expect((await response.text()).length).toBeGreaterThan(100);
    }
  });

  it('sends subscriptions over graphql-ws on the same origin, with the Authorization header as connectionParams', async () => {
    const script = await (await fetch(`${origin}/graphiql/assets/explorer.js`)).text();
    expect(script).toContain("new URL('/graphql', window.location.href)");
    expect(script).toContain('graphqlWs.createClient');
    expect(script).toContain('connectionParams: authorization ? { authorization: authorization } : {}');
  });

  it('answers 404 for files that are not explorer assets', async () => {
    for (const name of ['package.json', '..%2F..%2Fpackage.json', 'constructor']) {
      expect((await fetch(`${origin}/graphiql/assets/${name}`)).status).toBe(404);
    }
  });
});
