import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../shared/loaders/registry';
import { byKeys } from '../../shared/loaders/registry';
import { findReadOnly } from '../../shared/read-only-entities';
import { User } from './user.entity';

/** Users by id, one query per batch; read-only values (see read-only-entities). */
export const userById: LoaderFactory<string, User | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const users = await findReadOnly(ctx.em, User, 'id', ids);
    return byKeys(ids, users, (user) => user.id, (user) => user, null);
  });
