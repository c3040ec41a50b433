import { Field, ObjectType } from 'type-graphql';
import { User } from './user.entity';

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Short-lived bearer token for the Authorization header and for connectionParams.authorization.' })
  token!: string;

  @Field({ description: 'When token expires.' })
  expiresAt!: Date;

  @Field({ description: 'Single-use token that refreshSession trades for a new pair.' })
  refreshToken!: string;

  @Field(() => User)
  user!: User;
}
