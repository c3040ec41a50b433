import { IsEmail, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

@InputType()
export class SignUpInput {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field()
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  password!: string;
}

@InputType()
export class LoginInput {
  @Field()
  @MaxLength(254)
  email!: string;

  @Field()
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

@InputType()
export class GuestSessionInput {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;
}
