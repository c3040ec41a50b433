import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { newId } from '../../shared/ids';
import { User } from './user.entity';

/**
 * A sign-in: the family of refresh tokens descended from one login. Access tokens carry its id,
 * so revoking it (logout, or reuse of a spent refresh token) ends every token and socket of it.
 */
@Entity({ tableName: 'sessions' })
export class Session {
  @PrimaryKey({ type: 'text' })
  id: string & Opt = newId('Session');

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  @Index()
  user!: Ref<User>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  revokedReason?: string | null;
}

/** One refresh token, stored as its SHA-256. Single use: `usedAt` is set when it is traded. */
@Entity({ tableName: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryKey({ type: 'text' })
  tokenHash!: string;

  @ManyToOne(() => Session, { ref: true, deleteRule: 'cascade' })
  @Index()
  session!: Ref<Session>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', nullable: true })
  usedAt?: Date | null;
}
