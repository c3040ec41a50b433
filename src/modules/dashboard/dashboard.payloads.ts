import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Agent } from '../agents/agent.entity';
import { TicketEvent } from '../tickets/ticket-event.entity';

@ObjectType()
export class CountByKey {
  @Field()
  key!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class DailyCount {
  @Field({ description: 'The day, YYYY-MM-DD, in the statistics time zone.' })
  date!: string;

  @Field(() => Int, { description: 'Tickets created that day.' })
  created!: number;

  @Field(() => Int, { description: 'Tickets resolved that day (whenever they were created).' })
  resolved!: number;
}

@ObjectType({
  description:
    'Support at a glance, for the tickets the filter covers (created in its range). Counts by status are the ' +
    'tickets as they stand now; response times, satisfaction and SLA figures are of those tickets.',
})
export class DashboardStats {
  @Field(() => Int) totalTickets!: number;
  @Field(() => Int) openTickets!: number;
  @Field(() => Int) inProgressTickets!: number;
  @Field(() => Int) waitingTickets!: number;
  @Field(() => Int) resolvedTickets!: number;
  @Field(() => Int) closedTickets!: number;

  @Field(() => Int, { description: 'Tickets resolved since midnight (statistics time zone), whatever the range; department and agent filters apply.' })
  resolvedToday!: number;

  @Field(() => Float, { nullable: true, description: 'Mean seconds from ticket creation to the first agent reply.' })
  avgFirstResponseSeconds!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean seconds from ticket creation to resolution.' })
  avgResolutionSeconds!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean rating, 1 to 5.' })
  customerSatisfaction!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Share of tickets with an SLA that met every target, 0 to 100: of the tickets whose outcome is known ' +
      '(finished within every target, or any target missed); tickets still on time are not counted yet.',
  })
  slaMetPercent!: number | null;

  @Field(() => Int, { description: 'Active agents (of the department, or the agent) who are not OFFLINE.' })
  onlineAgents!: number;

  @Field(() => Int, { description: 'Active agents (of the department, or the agent).' })
  totalAgents!: number;

  @Field(() => [CountByKey], { description: 'Every status, in workflow order.' })
  ticketsByStatus!: CountByKey[];

  @Field(() => [CountByKey], { description: 'Every priority, most urgent first.' })
  ticketsByPriority!: CountByKey[];

  @Field(() => [CountByKey], { description: 'Largest first; tickets without a category under "(none)", beyond the 20 largest under "(other)".' })
  ticketsByCategory!: CountByKey[];

  @Field(() => [CountByKey], { description: 'Largest first; tickets without a department under "(none)".' })
  ticketsByDepartment!: CountByKey[];

  @Field(() => [DailyCount], { description: 'Every day of the range, oldest first, empty days as zeros.' })
  dailyCounts!: DailyCount[];

  @Field(() => [TicketEvent], { description: 'The 20 latest history lines in the range, newest first.' })
  recentActivity!: TicketEvent[];
}

@ObjectType({ description: 'One bar group of the live chart: one hour.' })
export class ChartPoint {
  @Field(() => Date, { description: 'Start of the hour (UTC hours).' })
  hour!: Date;

  @Field(() => Int, { description: 'Customers who opened a ticket or wrote in that hour.' })
  customers!: number;

  @Field(() => Int, { description: 'Agents who replied in that hour (internal notes are not replies).' })
  support!: number;

  @Field(() => Int, { description: 'Tickets resolved in that hour.' })
  resolved!: number;
}

@ObjectType()
export class LiveChart {
  @Field(() => [ChartPoint], { description: 'Oldest first; the last point is the current hour so far.' })
  points!: ChartPoint[];

  @Field(() => Float, { description: 'Mean of the points.' })
  avgCustomers!: number;

  @Field(() => Float)
  avgSupport!: number;

  @Field(() => Float)
  avgResolved!: number;
}

@ObjectType({ description: "One agent's figures over the tickets the filter covers that are assigned to them." })
export class AgentPerformance {
  @Field(() => Agent)
  agent!: Agent;

  @Field(() => Int, { description: 'Tickets assigned to the agent.' })
  assigned!: number;

  @Field(() => Int, { description: 'Of those, resolved (or closed).' })
  resolved!: number;

  @Field(() => Float, { nullable: true })
  avgFirstResponseSeconds!: number | null;

  @Field(() => Float, { nullable: true })
  avgResolutionSeconds!: number | null;

  @Field(() => Float, { nullable: true })
  customerSatisfaction!: number | null;
}
