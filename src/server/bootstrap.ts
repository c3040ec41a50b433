import type { AppServices } from './context';
import { ensureAdmin } from '../modules/accounts/account.service';

/** Creates the admin named by ADMIN_EMAIL / ADMIN_PASSWORD when it does not exist yet. */
export async function bootstrapAdmin(services: AppServices): Promise<void> {
  const admin = services.config.admin;
  if (!admin) return;
  const created = await ensureAdmin(services.orm.em.fork(), admin.email, admin.password);
  if (created) services.logger.info({ email: admin.email }, 'admin account created');
}
