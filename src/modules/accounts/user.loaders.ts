import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../shared/loaders/registry';
import { byKeys } from '../../shared/loaders/registry';
import { User } from './user.entity';

/** Users by id, one query per batch. */
export const userById: LoaderFactory<string, User | null> = (ctx) =>
  new DataLoader(async (ids) => {
    const users = await ctx.em.find(User, { id: { $in: [...ids] } });
    return byKeys(ids, users, (user) => user.id, (user) => user, null);
  });
