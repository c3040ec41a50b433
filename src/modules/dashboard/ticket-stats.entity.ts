import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Hourly rollups behind the dashboard, kept by PostgreSQL itself: statement-level triggers on
 * `tickets` append what each statement changed to `ticket_stats_deltas`, and a fold (any
 * instance, usually the maintenance leader) moves the deltas into the rollups. Readers add the
 * unfolded deltas to the rollups in the same snapshot, so figures are exact at any moment; the
 * fold only keeps them cheap. Functions and triggers are in the dashboard migration; these
 * classes describe the tables for the schema check and are not used as entities otherwise.
 *
 * "None" is stored as '' in key columns (department, assignee, category), so they can be keys.
 */

/** What the rollups sum, per key: tickets created in the hour (as they stand now), and tickets resolved in it. */
@Entity({ abstract: true })
export abstract class TicketStatsMeasures {
  @Property({ type: 'integer', default: 0 }) created!: number;
  @Property({ type: 'integer', default: 0 }) statusOpen!: number;
  @Property({ type: 'integer', default: 0 }) statusInProgress!: number;
  @Property({ type: 'integer', default: 0 }) statusWaiting!: number;
  @Property({ type: 'integer', default: 0 }) statusResolved!: number;
  @Property({ type: 'integer', default: 0 }) statusClosed!: number;
  @Property({ type: 'integer', default: 0 }) priorityLow!: number;
  @Property({ type: 'integer', default: 0 }) priorityNormal!: number;
  @Property({ type: 'integer', default: 0 }) priorityHigh!: number;
  @Property({ type: 'integer', default: 0 }) priorityUrgent!: number;
  @Property({ type: 'integer', default: 0 }) firstResponseCount!: number;
  @Property({ type: 'double', default: 0 }) firstResponseSeconds!: number;
  @Property({ type: 'integer', default: 0 }) resolutionCount!: number;
  @Property({ type: 'double', default: 0 }) resolutionSeconds!: number;
  @Property({ type: 'integer', default: 0 }) ratingCount!: number;
  @Property({ type: 'integer', default: 0 }) ratingSum!: number;
  /** With an SLA; of those, finished within every target; and those that missed a target in a way the clock can no longer change. */
  @Property({ type: 'integer', default: 0 }) slaCount!: number;
  @Property({ type: 'integer', default: 0 }) slaMet!: number;
  @Property({ type: 'integer', default: 0 }) slaMissed!: number;
  /** Tickets whose resolution falls in the hour (by `resolved_at`, whenever they were created). */
  @Property({ type: 'integer', default: 0 }) resolved!: number;
}

/** Per (hour, department): what the dashboard reads unless it is filtered by agent. */
@Entity({ tableName: 'ticket_stats_hourly' })
export class TicketStatsHourly extends TicketStatsMeasures {
  /** Start of the UTC hour. */
  @PrimaryKey({ type: 'datetime' })
  hour!: Date;

  @PrimaryKey({ type: 'text' })
  department!: string;
}

/** Per (hour, department, assignee): agent performance and the dashboard filtered by agent. */
@Entity({ tableName: 'ticket_agent_stats_hourly' })
@Index({ name: 'ticket_agent_stats_hourly_assignee_hour_idx', properties: ['assigneeId', 'hour'] })
export class TicketAgentStatsHourly extends TicketStatsMeasures {
  @PrimaryKey({ type: 'datetime' })
  hour!: Date;

  @PrimaryKey({ type: 'text' })
  department!: string;

  @PrimaryKey({ type: 'text' })
  assigneeId!: string;
}

/** Tickets created in the hour per (department, category). */
@Entity({ tableName: 'ticket_category_stats_hourly' })
export class TicketCategoryStatsHourly {
  @PrimaryKey({ type: 'datetime' })
  hour!: Date;

  @PrimaryKey({ type: 'text' })
  department!: string;

  @PrimaryKey({ type: 'text' })
  category!: string;

  @Property({ type: 'integer', default: 0 })
  created!: number;
}

/** Not yet folded changes, in full detail (every rollup is a projection of it). */
@Entity({ tableName: 'ticket_stats_deltas' })
export class TicketStatsDelta extends TicketStatsMeasures {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'datetime' }) hour!: Date;
  @Property({ type: 'text' }) department!: string;
  @Property({ type: 'text' }) assigneeId!: string;
  @Property({ type: 'text' }) category!: string;
}

/**
 * Who took part in each hour, for the live chart: a customer who opened a ticket or wrote, an
 * agent who replied (internal notes are not replies). Kept by triggers on `tickets` and `messages`
 * (one row per person and hour, whatever they wrote), so a chart counts rows instead of scanning
 * messages; rows older than the longest chart are pruned by the maintenance job.
 */
@Entity({ tableName: 'live_chart_participants' })
export class LiveChartParticipant {
  /** Start of the UTC hour. */
  @PrimaryKey({ type: 'datetime' })
  hour!: Date;

  /** CUSTOMER or AGENT. */
  @PrimaryKey({ type: 'text' })
  kind!: string;

  @PrimaryKey({ type: 'text' })
  userId!: string;
}
