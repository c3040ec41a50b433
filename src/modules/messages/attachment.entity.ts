import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { Node } from '../../shared/node';
import { User } from '../accounts/user.entity';
import { Message } from './message.entity';

/** An uploaded file: metadata here, bytes behind the storage interface under `storageKey`. */
@Entity({ tableName: 'attachments' })
@ObjectType({ implements: Node })
export class Attachment {
  @PrimaryKey({ type: 'text' })
  @Field(() => ID)
  id: string & Opt = newId('Attachment');

  @ManyToOne(() => User, { ref: true })
  @Index()
  uploader!: Ref<User>;

  /** Null until `sendMessage` links it; an upload can be linked once. */
  @ManyToOne(() => Message, { ref: true, nullable: true, deleteRule: 'set null' })
  @Index()
  message?: Ref<Message> | null;

  @Property({ type: 'text' })
  @Field()
  filename!: string;

  @Property({ type: 'text' })
  @Field()
  mimeType!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  size!: number;

  @Property({ type: 'text' })
  storageKey!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
