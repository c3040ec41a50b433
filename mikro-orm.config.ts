import { ormOptions } from './src/infra/orm-options';

// Used by the MikroORM CLI (`npm run migration:create`). The server builds its own from src/config.ts.
export default ormOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/parley_dev');
