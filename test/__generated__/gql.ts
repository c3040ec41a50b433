/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment SessionFields on AuthPayload {\n  token\n  expiresAt\n  refreshToken\n  user {\n    id\n    name\n    email\n    role\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation StartGuestSession($input: GuestSessionInput!) {\n  startGuestSession(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...SessionFields\n  }\n}\n\nmutation Logout($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}\n\nquery Viewer {\n  viewer {\n    id\n    name\n    email\n    role\n    createdAt\n    agent {\n      id\n      department\n    }\n  }\n}\n\nquery NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n  }\n}\n\nquery UserEmail($id: ID!) {\n  node(id: $id) {\n    ... on User {\n      id\n      name\n      email\n    }\n  }\n}\n\nmutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      status\n      user {\n        id\n        name\n        email\n        role\n      }\n    }\n  }\n}\n\nmutation UpdateAgent($input: UpdateAgentInput!) {\n  updateAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      user {\n        id\n        name\n        role\n      }\n    }\n  }\n}": typeof types.SessionFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment SessionFields on AuthPayload {\n  token\n  expiresAt\n  refreshToken\n  user {\n    id\n    name\n    email\n    role\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation StartGuestSession($input: GuestSessionInput!) {\n  startGuestSession(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...SessionFields\n  }\n}\n\nmutation Logout($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}\n\nquery Viewer {\n  viewer {\n    id\n    name\n    email\n    role\n    createdAt\n    agent {\n      id\n      department\n    }\n  }\n}\n\nquery NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n  }\n}\n\nquery UserEmail($id: ID!) {\n  node(id: $id) {\n    ... on User {\n      id\n      name\n      email\n    }\n  }\n}\n\nmutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      status\n      user {\n        id\n        name\n        email\n        role\n      }\n    }\n  }\n}\n\nmutation UpdateAgent($input: UpdateAgentInput!) {\n  updateAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      user {\n        id\n        name\n        role\n      }\n    }\n  }\n}": types.SessionFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SessionFields on AuthPayload {\n  token\n  expiresAt\n  refreshToken\n  user {\n    id\n    name\n    email\n    role\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation StartGuestSession($input: GuestSessionInput!) {\n  startGuestSession(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...SessionFields\n  }\n}\n\nmutation Logout($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}\n\nquery Viewer {\n  viewer {\n    id\n    name\n    email\n    role\n    createdAt\n    agent {\n      id\n      department\n    }\n  }\n}\n\nquery NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n  }\n}\n\nquery UserEmail($id: ID!) {\n  node(id: $id) {\n    ... on User {\n      id\n      name\n      email\n    }\n  }\n}\n\nmutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      status\n      user {\n        id\n        name\n        email\n        role\n      }\n    }\n  }\n}\n\nmutation UpdateAgent($input: UpdateAgentInput!) {\n  updateAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      user {\n        id\n        name\n        role\n      }\n    }\n  }\n}"): (typeof documents)["fragment SessionFields on AuthPayload {\n  token\n  expiresAt\n  refreshToken\n  user {\n    id\n    name\n    email\n    role\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation StartGuestSession($input: GuestSessionInput!) {\n  startGuestSession(input: $input) {\n    ...SessionFields\n  }\n}\n\nmutation RefreshSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    ...SessionFields\n  }\n}\n\nmutation Logout($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}\n\nquery Viewer {\n  viewer {\n    id\n    name\n    email\n    role\n    createdAt\n    agent {\n      id\n      department\n    }\n  }\n}\n\nquery NodeById($id: ID!) {\n  node(id: $id) {\n    __typename\n    id\n  }\n}\n\nquery UserEmail($id: ID!) {\n  node(id: $id) {\n    ... on User {\n      id\n      name\n      email\n    }\n  }\n}\n\nmutation CreateAgent($input: CreateAgentInput!) {\n  createAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      status\n      user {\n        id\n        name\n        email\n        role\n      }\n    }\n  }\n}\n\nmutation UpdateAgent($input: UpdateAgentInput!) {\n  updateAgent(input: $input) {\n    agent {\n      id\n      department\n      skills\n      languages\n      maxConcurrentTickets\n      active\n      user {\n        id\n        name\n        role\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;