import { registerEnumType } from 'type-graphql';

export enum Role {
  CUSTOMER = 'CUSTOMER',
  AGENT = 'AGENT',
  SUPERVISOR = 'SUPERVISOR',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, { name: 'Role', description: 'What a user may do: customers open tickets; staff work them.' });
