import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword } from '../../src/shared/auth/passwords';
import { Role } from '../../src/shared/roles';
import { Session } from '../../src/modules/accounts/session.entity';
import { User } from '../../src/modules/accounts/user.entity';
import { Agent } from '../../src/modules/agents/agent.entity';
import { AgentStatus } from '../../src/modules/agents/agent-status';
import type { TestServer } from './server';
import type { GraphQLTestClient } from './client';

export const DEFAULT_PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;

export interface Actor {
  user: User;
  agent?: Agent;
  token: string;
  sessionId: string;
  client: GraphQLTestClient;
}

export interface ActorOptions {
  role?: Role;
  name?: string;
  email?: string;
  department?: string | null;
  skills?: string[];
  languages?: string[];
  maxConcurrentTickets?: number;
  status?: AgentStatus;
}

function em(server: TestServer): EntityManager {
  return server.app.services.orm.em.fork() as EntityManager;
}

/** A user (with an agent profile for staff roles), signed in, straight through the ORM. */
export async function createActor(server: TestServer, options: ActorOptions = {}): Promise<Actor> {
  passwordHash ??= hashPassword(DEFAULT_PASSWORD);
  const role = options.role ?? Role.CUSTOMER;
  const suffix = randomBytes(4).toString('hex');
  const fork = em(server);
  const user = fork.create(User, {
    name: options.name ?? `${role.toLowerCase()} ${suffix}`,
    email: options.email ?? `${role.toLowerCase()}-${suffix}@example.test`,
    passwordHash: await passwordHash,
    role,
  });
  let agent: Agent | undefined;
  if (role !== Role.CUSTOMER) {
    agent = fork.create(Agent, {
      user,
      department: options.department ?? null,
      skills: options.skills ?? [],
      languages: options.languages ?? ['en'],
      maxConcurrentTickets: options.maxConcurrentTickets ?? 5,
      status: options.status ?? AgentStatus.OFFLINE,
    });
  }
  const session = fork.create(Session, { user, expiresAt: new Date(Date.now() + 86_400_000) });
  await fork.flush();
  const { token } = await server.app.services.tokens.issue(user.id, role, session.id);
  return { user, agent, token, sessionId: session.id, client: server.client(token) };
}

export const createCustomer = (server: TestServer, options: ActorOptions = {}) => createActor(server, { ...options, role: Role.CUSTOMER });
export const createAgentActor = (server: TestServer, options: ActorOptions = {}) => createActor(server, { ...options, role: Role.AGENT });
export const createSupervisor = (server: TestServer, options: ActorOptions = {}) => createActor(server, { ...options, role: Role.SUPERVISOR });
export const createAdmin = (server: TestServer, options: ActorOptions = {}) => createActor(server, { ...options, role: Role.ADMIN });

/** The cast of every authorization matrix. */
export interface Cast {
  customerA: Actor;
  customerB: Actor;
  agent: Actor;
  supervisor: Actor;
  admin: Actor;
}

export async function createCast(server: TestServer): Promise<Cast> {
  const [customerA, customerB, agent, supervisor, admin] = await Promise.all([
    createCustomer(server, { name: 'Alice Customer' }),
    createCustomer(server, { name: 'Bob Customer' }),
    createAgentActor(server, { name: 'Ada Agent', department: 'billing' }),
    createSupervisor(server, { name: 'Sam Supervisor', department: 'billing' }),
    createAdmin(server, { name: 'Ann Admin' }),
  ]);
  return { customerA, customerB, agent, supervisor, admin };
}
