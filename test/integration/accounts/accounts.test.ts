import {
  CreateAgentDocument,
  LoginDocument,
  LogoutDocument,
  NodeByIdDocument,
  RefreshSessionDocument,
  SignUpDocument,
  StartGuestSessionDocument,
  UpdateAgentDocument,
  UserEmailDocument,
  ViewerDocument,
} from '../../__generated__/graphql';
import { createCast, DEFAULT_PASSWORD, type Cast } from '../../support/factories';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let cast: Cast;

beforeAll(async () => {
  server = await startTestServer();
  cast = await createCast(server);
});
afterAll(() => server.stop());

describe('signUp', () => {
  it('creates a customer and returns a working token pair', async () => {
    const { signUp } = await server.anonymous.data(SignUpDocument, {
      input: { name: 'Carol', email: 'Carol@Example.test', password: 'a long password' },
    });
    expect(signUp.user).toMatchObject({ name: 'Carol', email: 'carol@example.test', role: 'CUSTOMER' });
    expect(new Date(signUp.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const { viewer } = await server.client(signUp.token).data(ViewerDocument);
    expect(viewer?.id).toBe(signUp.user.id);
  });

  it('answers CONFLICT on the email field when the address is taken, in any case', async () => {
    const error = await server.anonymous.error('CONFLICT', SignUpDocument, {
      input: { name: 'Other', email: cast.customerA.user.email!.toUpperCase(), password: 'a long password' },
    });
    expect(error.extensions?.field).toBe('email');
  });

  it.each([
    ['email', { name: 'X', email: 'not-an-email', password: 'a long password' }],
    ['password', { name: 'X', email: 'x@example.test', password: 'short' }],
    ['name', { name: '', email: 'x2@example.test', password: 'a long password' }],
  ])('rejects a bad %s with BAD_USER_INPUT naming it', async (field, input) => {
    const error = await server.anonymous.error('BAD_USER_INPUT', SignUpDocument, { input });
    expect(error.extensions?.field).toBe(field);
  });

  it('lets exactly one of two simultaneous sign-ups with one address succeed', async () => {
    const input = { name: 'Twin', email: 'twin@example.test', password: 'a long password' };
    const results = await Promise.all([server.anonymous.request(SignUpDocument, { input }), server.anonymous.request(SignUpDocument, { input })]);
    expect(results.filter((r) => r.data?.signUp).length).toBe(1);
    expect(results.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
  });
});

describe('login', () => {
  it('signs a user in with the right password', async () => {
    const { login } = await server.anonymous.data(LoginDocument, { input: { email: cast.agent.user.email!, password: DEFAULT_PASSWORD } });
    expect(login.user).toMatchObject({ id: cast.agent.user.id, role: 'AGENT' });
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await server.anonymous.error('UNAUTHENTICATED', LoginDocument, { input: { email: cast.agent.user.email!, password: 'wrong password' } });
    const unknown = await server.anonymous.error('UNAUTHENTICATED', LoginDocument, { input: { email: 'nobody@example.test', password: 'wrong password' } });
    expect(wrong.message).toBe(unknown.message);
  });
});

describe('guest sessions', () => {
  it('turns a widget visitor into a guest customer', async () => {
    const { startGuestSession } = await server.anonymous.data(StartGuestSessionDocument, { input: { name: 'Visitor', email: 'visitor@example.test' } });
    expect(startGuestSession.user).toMatchObject({ name: 'Visitor', role: 'CUSTOMER', email: 'visitor@example.test' });
  });

  it('does not let a guest claim an account holder’s address', async () => {
    const { startGuestSession } = await server.anonymous.data(StartGuestSessionDocument, { input: { name: 'Impostor', email: cast.customerA.user.email } });
    // The guest is a different user; logging in with that address still reaches the real account.
    expect(startGuestSession.user.id).not.toBe(cast.customerA.user.id);
    const { login } = await server.anonymous.data(LoginDocument, { input: { email: cast.customerA.user.email!, password: DEFAULT_PASSWORD } });
    expect(login.user.id).toBe(cast.customerA.user.id);
  });
});

describe('refresh tokens', () => {
  it('trades a refresh token once for a new pair', async () => {
    const { login } = await server.anonymous.data(LoginDocument, { input: { email: cast.customerB.user.email!, password: DEFAULT_PASSWORD } });
    const { refreshSession } = await server.anonymous.data(RefreshSessionDocument, { refreshToken: login.refreshToken });
    expect(refreshSession.refreshToken).not.toBe(login.refreshToken);
    const { viewer } = await server.client(refreshSession.token).data(ViewerDocument);
    expect(viewer?.id).toBe(cast.customerB.user.id);
  });

  it('revokes the whole family when a spent refresh token is presented again', async () => {
    const { login } = await server.anonymous.data(LoginDocument, { input: { email: cast.customerB.user.email!, password: DEFAULT_PASSWORD } });
    const first = (await server.anonymous.data(RefreshSessionDocument, { refreshToken: login.refreshToken })).refreshSession;
    await server.anonymous.error('UNAUTHENTICATED', RefreshSessionDocument, { refreshToken: login.refreshToken });
    // The descendant issued before the replay is dead too, and so is its access token.
    await server.anonymous.error('UNAUTHENTICATED', RefreshSessionDocument, { refreshToken: first.refreshToken });
    const { viewer } = await server.client(first.token).data(ViewerDocument);
    expect(viewer).toBeNull();
  });

  it('rejects an unknown refresh token', async () => {
    await server.anonymous.error('UNAUTHENTICATED', RefreshSessionDocument, { refreshToken: 'nonsense' });
  });
});

describe('logout', () => {
  it('ends the session: its access and refresh tokens stop working', async () => {
    const { login } = await server.anonymous.data(LoginDocument, { input: { email: cast.customerA.user.email!, password: DEFAULT_PASSWORD } });
    expect((await server.anonymous.data(LogoutDocument, { refreshToken: login.refreshToken })).logout).toBe(true);
    expect((await server.client(login.token).data(ViewerDocument)).viewer).toBeNull();
    await server.anonymous.error('UNAUTHENTICATED', RefreshSessionDocument, { refreshToken: login.refreshToken });
    expect((await server.anonymous.data(LogoutDocument, { refreshToken: login.refreshToken })).logout).toBe(false);
  });
});

describe('viewer and users', () => {
  it('is null without a token and with a forged one', async () => {
    expect((await server.anonymous.data(ViewerDocument)).viewer).toBeNull();
    expect((await server.client('not.a.token').data(ViewerDocument)).viewer).toBeNull();
  });

  it('shows staff their agent profile', async () => {
    const { viewer } = await cast.agent.client.data(ViewerDocument);
    expect(viewer?.agent).toMatchObject({ id: cast.agent.agent!.id, department: 'billing' });
    expect((await cast.customerA.client.data(ViewerDocument)).viewer?.agent).toBeNull();
  });

  it('hides other people’s email addresses from customers but not from staff', async () => {
    const target = cast.agent.user.id;
    expect((await cast.customerA.client.data(UserEmailDocument, { id: target })).node).toMatchObject({ email: null });
    expect((await cast.admin.client.data(UserEmailDocument, { id: cast.customerA.user.id })).node).toMatchObject({ email: cast.customerA.user.email });
  });

  it('does not let a customer look up another customer', async () => {
    expect((await cast.customerA.client.data(NodeByIdDocument, { id: cast.customerB.user.id })).node).toBeNull();
    expect((await cast.customerA.client.data(NodeByIdDocument, { id: cast.customerA.user.id })).node).toMatchObject({ __typename: 'User' });
    expect((await cast.customerA.client.data(NodeByIdDocument, { id: 'garbage' })).node).toBeNull();
  });
});

describe('agents administration', () => {
  const input = (email: string) => ({
    name: 'New Agent',
    email,
    password: 'a long password',
    role: 'AGENT' as const,
    department: 'support',
    skills: ['Refunds', 'refunds', ' API '],
    languages: ['EN', 'fr'],
    maxConcurrentTickets: 3,
  });

  it('lets an admin create an agent who can then sign in', async () => {
    const { createAgent } = await cast.admin.client.data(CreateAgentDocument, { input: input('new.agent@example.test') });
    expect(createAgent.agent).toMatchObject({ department: 'support', skills: ['refunds', 'api'], languages: ['en', 'fr'], maxConcurrentTickets: 3, active: true });
    expect(createAgent.agent.user).toMatchObject({ role: 'AGENT', email: 'new.agent@example.test' });
    await server.anonymous.data(LoginDocument, { input: { email: 'new.agent@example.test', password: 'a long password' } });
  });

  it.each(['customerA', 'agent', 'supervisor'] as const)('refuses createAgent to %s with FORBIDDEN', async (actor) => {
    await cast[actor].client.error('FORBIDDEN', CreateAgentDocument, { input: input(`${actor}-made@example.test`) });
  });

  it('refuses createAgent to anonymous callers with UNAUTHENTICATED', async () => {
    await server.anonymous.error('UNAUTHENTICATED', CreateAgentDocument, { input: input('anon-made@example.test') });
  });

  it('rejects a customer role for a staff account', async () => {
    const error = await cast.admin.client.error('BAD_USER_INPUT', CreateAgentDocument, { input: { ...input('cust@example.test'), role: 'CUSTOMER' } });
    expect(error.extensions?.field).toBe('role');
  });

  it('deactivation locks the agent out at once', async () => {
    const { createAgent } = await cast.admin.client.data(CreateAgentDocument, { input: input('leaving@example.test') });
    const { login } = await server.anonymous.data(LoginDocument, { input: { email: 'leaving@example.test', password: 'a long password' } });
    const { updateAgent } = await cast.admin.client.data(UpdateAgentDocument, { input: { id: createAgent.agent.id, active: false } });
    expect(updateAgent.agent.active).toBe(false);
    expect((await server.client(login.token).data(ViewerDocument)).viewer).toBeNull();
    await server.anonymous.error('UNAUTHENTICATED', LoginDocument, { input: { email: 'leaving@example.test', password: 'a long password' } });
  });

  it('answers NOT_FOUND for an unknown agent and FORBIDDEN for non-admins', async () => {
    await cast.admin.client.error('NOT_FOUND', UpdateAgentDocument, { input: { id: 'agt_00000000000000000000000000', name: 'x' } });
    await cast.supervisor.client.error('FORBIDDEN', UpdateAgentDocument, { input: { id: cast.agent.agent!.id, name: 'x' } });
  });

  it('does not let an admin deactivate themself', async () => {
    const error = await cast.admin.client.error('BAD_USER_INPUT', UpdateAgentDocument, { input: { id: cast.admin.agent!.id, active: false } });
    expect(error.extensions?.field).toBe('active');
  });
});
