import { Field, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination/connection';
import { Ticket } from './ticket.entity';

@ObjectType()
export class TicketConnection extends ConnectionType('Ticket', Ticket) {}

@ObjectType()
export class CreateTicketPayload {
  @Field(() => Ticket)
  ticket!: Ticket;
}

@ObjectType()
export class TicketPayload {
  @Field(() => Ticket)
  ticket!: Ticket;
}

@ObjectType()
export class BulkUpdateTicketsPayload {
  @Field(() => [Ticket])
  tickets!: Ticket[];

  @Field(() => Int, { description: 'How many tickets actually changed.' })
  updatedCount!: number;
}
