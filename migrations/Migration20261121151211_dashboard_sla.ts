import { Migration } from '@mikro-orm/migrations';

/** The columns every measure row has, in order (see ticket_stats_measures). */
const MEASURES = [
  'created',
  'status_open',
  'status_in_progress',
  'status_waiting',
  'status_resolved',
  'status_closed',
  'priority_low',
  'priority_normal',
  'priority_high',
  'priority_urgent',
  'first_response_count',
  'first_response_seconds',
  'resolution_count',
  'resolution_seconds',
  'rating_count',
  'rating_sum',
  'sla_count',
  'sla_met',
  'sla_missed',
  'resolved',
];
const FLOATS = new Set(['first_response_seconds', 'resolution_seconds']);
const sums = (prefix = '') => MEASURES.map((m) => `sum(${prefix}${m})${FLOATS.has(m) ? '' : '::int'}`).join(', ');
const anyNonZero = MEASURES.map((m) => `sum(${m}) <> 0`).join(' or ');

/**
 * Dashboard rollups, the live chart's participants, and SLA indexes.
 *
 * - `ticket_stats_measures(ticket, weight)`: what one ticket adds to the statistics — a row at its
 *   creation (its status, priority, response and resolution times, rating, SLA outcome) and, once
 *   resolved, a row at its resolution. The one definition the triggers, the rebuild and the
 *   dashboard's queries over partial hours all use.
 * - Statement-level triggers on `tickets` append each statement's net change to
 *   `ticket_stats_deltas` (insert-only: no lock is ever taken on a shared counter, so ticket
 *   writes neither wait on each other nor deadlock here).
 * - `fold_ticket_stats(batch)` moves deltas into the hourly rollups: per (hour, department), per
 *   (hour, department, assignee) and per (hour, department, category).
 * - `rebuild_ticket_stats()` recomputes everything from `tickets` (after a bulk load that bypassed
 *   triggers); this migration runs it once for the tickets that already exist.
 * - `live_chart_participants`: who opened a ticket or wrote (customers), who replied (agents), per
 *   hour, kept by insert triggers on `tickets` and `messages`; `rebuild_live_chart_participants()`.
 * - Partial indexes for the SLA breach job, and `resolved_at` for partial hours.
 */
export class Migration20261121151211_dashboard_sla extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "live_chart_participants" ("hour" timestamptz not null, "kind" text not null, "user_id" text not null, constraint "live_chart_participants_pkey" primary key ("hour", "kind", "user_id"));`);

    this.addSql(`create table "ticket_agent_stats_hourly" ("hour" timestamptz not null, "department" text not null, "assignee_id" text not null, "created" int not null default 0, "status_open" int not null default 0, "status_in_progress" int not null default 0, "status_waiting" int not null default 0, "status_resolved" int not null default 0, "status_closed" int not null default 0, "priority_low" int not null default 0, "priority_normal" int not null default 0, "priority_high" int not null default 0, "priority_urgent" int not null default 0, "first_response_count" int not null default 0, "first_response_seconds" double precision not null default 0, "resolution_count" int not null default 0, "resolution_seconds" double precision not null default 0, "rating_count" int not null default 0, "rating_sum" int not null default 0, "sla_count" int not null default 0, "sla_met" int not null default 0, "sla_missed" int not null default 0, "resolved" int not null default 0, constraint "ticket_agent_stats_hourly_pkey" primary key ("hour", "department", "assignee_id"));`);
    this.addSql(`create index "ticket_agent_stats_hourly_assignee_hour_idx" on "ticket_agent_stats_hourly" ("assignee_id", "hour");`);

    this.addSql(`create table "ticket_category_stats_hourly" ("hour" timestamptz not null, "department" text not null, "category" text not null, "created" int not null default 0, constraint "ticket_category_stats_hourly_pkey" primary key ("hour", "department", "category"));`);

    this.addSql(`create table "ticket_stats_deltas" ("id" bigserial primary key, "created" int not null default 0, "status_open" int not null default 0, "status_in_progress" int not null default 0, "status_waiting" int not null default 0, "status_resolved" int not null default 0, "status_closed" int not null default 0, "priority_low" int not null default 0, "priority_normal" int not null default 0, "priority_high" int not null default 0, "priority_urgent" int not null default 0, "first_response_count" int not null default 0, "first_response_seconds" double precision not null default 0, "resolution_count" int not null default 0, "resolution_seconds" double precision not null default 0, "rating_count" int not null default 0, "rating_sum" int not null default 0, "sla_count" int not null default 0, "sla_met" int not null default 0, "sla_missed" int not null default 0, "resolved" int not null default 0, "hour" timestamptz not null, "department" text not null, "assignee_id" text not null, "category" text not null);`);

    this.addSql(`create table "ticket_stats_hourly" ("hour" timestamptz not null, "department" text not null, "created" int not null default 0, "status_open" int not null default 0, "status_in_progress" int not null default 0, "status_waiting" int not null default 0, "status_resolved" int not null default 0, "status_closed" int not null default 0, "priority_low" int not null default 0, "priority_normal" int not null default 0, "priority_high" int not null default 0, "priority_urgent" int not null default 0, "first_response_count" int not null default 0, "first_response_seconds" double precision not null default 0, "resolution_count" int not null default 0, "resolution_seconds" double precision not null default 0, "rating_count" int not null default 0, "rating_sum" int not null default 0, "sla_count" int not null default 0, "sla_met" int not null default 0, "sla_missed" int not null default 0, "resolved" int not null default 0, constraint "ticket_stats_hourly_pkey" primary key ("hour", "department"));`);

    this.addSql(`create index "tickets_resolved_at_idx" on "tickets" ("resolved_at") where "resolved_at" is not null;`);
    this.addSql(`create index "tickets_sla_first_response_due_idx" on "tickets" ("first_response_due_at") where "sla_breached_at" is null and "first_response_at" is null and "status" in ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER');`);
    this.addSql(`create index "tickets_sla_resolution_due_idx" on "tickets" ("resolution_due_at") where "sla_breached_at" is null and "sla_paused_at" is null and "resolution_due_at" is not null;`);

    // The SLA outcome that no longer depends on the clock (a running clock past its due date is
    // counted at read time, from the partial indexes above): the same test as slaMissedSql in
    // src/modules/sla/sla.rules.ts with "now" left out; a test keeps the two in step.
    this.addSql(`create function "ticket_stats_measures"(t tickets, weight integer)
      returns table (at timestamptz, department text, assignee_id text, category text,
        created int, status_open int, status_in_progress int, status_waiting int, status_resolved int, status_closed int,
        priority_low int, priority_normal int, priority_high int, priority_urgent int,
        first_response_count int, first_response_seconds double precision, resolution_count int, resolution_seconds double precision,
        rating_count int, rating_sum int, sla_count int, sla_met int, sla_missed int, resolved int)
      language sql stable parallel safe as $$
        select t.created_at, coalesce(t.department, ''), coalesce(t.assignee_id, ''), coalesce(t.category, ''),
          weight,
          weight * (t.status = 'OPEN')::int, weight * (t.status = 'IN_PROGRESS')::int, weight * (t.status = 'WAITING_ON_CUSTOMER')::int,
          weight * (t.status = 'RESOLVED')::int, weight * (t.status = 'CLOSED')::int,
          weight * (t.priority = 'LOW')::int, weight * (t.priority = 'NORMAL')::int, weight * (t.priority = 'HIGH')::int, weight * (t.priority = 'URGENT')::int,
          weight * (t.first_response_at is not null)::int, weight * coalesce(extract(epoch from t.first_response_at - t.created_at)::float8, 0),
          weight * (t.resolved_at is not null)::int, weight * coalesce(extract(epoch from t.resolved_at - t.created_at)::float8, 0),
          weight * (t.rating is not null)::int, weight * coalesce(t.rating, 0)::int,
          weight * s.applies::int,
          weight * (s.applies and t.status in ('RESOLVED', 'CLOSED') and not s.missed)::int,
          weight * s.missed::int,
          0
        from (select
                t.first_response_due_at is not null or t.resolution_due_at is not null as applies,
                coalesce(t.sla_breached_at is not null
                  or (t.first_response_due_at is not null and coalesce(t.first_response_at, case when t.status in ('RESOLVED', 'CLOSED') then t.resolved_at end) > t.first_response_due_at)
                  or (t.resolution_due_at is not null and coalesce(t.sla_paused_at, case when t.status in ('RESOLVED', 'CLOSED') then t.resolved_at end) > t.resolution_due_at), false) as missed) s
        union all
        select t.resolved_at, coalesce(t.department, ''), coalesce(t.assignee_id, ''), coalesce(t.category, ''),
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, weight
        where t.resolved_at is not null
      $$;`);

    const deltaInsert = (source: string) => `insert into ticket_stats_deltas (hour, department, assignee_id, category, ${MEASURES.join(', ')})
        select date_trunc('hour', m.at, 'UTC'), m.department, m.assignee_id, m.category, ${sums('m.')}
        from (${source}) m
        group by 1, 2, 3, 4
        having ${anyNonZero}`;
    this.addSql(`create function "ticket_stats_capture"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          ${deltaInsert('select m.* from new_rows n cross join lateral ticket_stats_measures(n, 1) m')};
        elsif tg_op = 'UPDATE' then
          ${deltaInsert(`select m.* from old_rows o cross join lateral ticket_stats_measures(o, -1) m
             union all select m.* from new_rows n cross join lateral ticket_stats_measures(n, 1) m`)};
        else
          ${deltaInsert('select m.* from old_rows o cross join lateral ticket_stats_measures(o, -1) m')};
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger "tickets_stats_insert" after insert on "tickets" referencing new table as new_rows for each statement execute function ticket_stats_capture();`);
    this.addSql(`create trigger "tickets_stats_update" after update on "tickets" referencing old table as old_rows new table as new_rows for each statement execute function ticket_stats_capture();`);
    this.addSql(`create trigger "tickets_stats_delete" after delete on "tickets" referencing old table as old_rows for each statement execute function ticket_stats_capture();`);

    // Each rollup is a projection of the deltas; rows are written in key order, so two folds
    // running at once (a leader hand-over) wait for each other instead of deadlocking.
    const upsertMeasures = (table: string, keys: string[], source: string) => `insert into ${table} as r (${keys.join(', ')}, ${MEASURES.join(', ')})
          select ${keys.join(', ')}, ${sums()} from ${source} group by ${keys.map((_k, i) => i + 1).join(', ')} having ${anyNonZero}
          order by ${keys.map((_k, i) => i + 1).join(', ')}
          on conflict (${keys.join(', ')}) do update set ${MEASURES.map((m) => `${m} = r.${m} + excluded.${m}`).join(', ')}`;
    const upsertCategories = (source: string) => `insert into ticket_category_stats_hourly as r (hour, department, category, created)
          select hour, department, category, sum(created)::int from ${source} group by 1, 2, 3 having sum(created) <> 0 order by 1, 2, 3
          on conflict (hour, department, category) do update set created = r.created + excluded.created`;
    this.addSql(`create function "fold_ticket_stats"(batch integer) returns integer language sql as $$
        with moved as (
          delete from ticket_stats_deltas where id in (select id from ticket_stats_deltas order by id limit batch) returning *
        ), by_department as (
          ${upsertMeasures('ticket_stats_hourly', ['hour', 'department'], 'moved')} returning 1
        ), by_agent as (
          ${upsertMeasures('ticket_agent_stats_hourly', ['hour', 'department', 'assignee_id'], 'moved')} returning 1
        ), by_category as (
          ${upsertCategories('moved')} returning 1
        )
        select count(*)::int from moved
      $$;`);
    // Straight into the rollups through a scratch table: going through the deltas would leave
    // millions of dead rows behind in a table every dashboard read scans.
    this.addSql(`create function "rebuild_ticket_stats"() returns void language plpgsql as $$
      begin
        -- Writers wait until the rollups match the tickets again.
        lock table tickets in share mode;
        truncate ticket_stats_deltas, ticket_stats_hourly, ticket_agent_stats_hourly, ticket_category_stats_hourly;
        create temporary table rebuilt_ticket_stats on commit drop as
          select date_trunc('hour', m.at, 'UTC') as hour, m.department, m.assignee_id, m.category, ${MEASURES.map((m) => `sum(m.${m})${FLOATS.has(m) ? '' : '::int'} as ${m}`).join(', ')}
          from tickets t cross join lateral ticket_stats_measures(t, 1) m
          group by 1, 2, 3, 4;
        ${upsertMeasures('ticket_stats_hourly', ['hour', 'department'], 'rebuilt_ticket_stats')};
        ${upsertMeasures('ticket_agent_stats_hourly', ['hour', 'department', 'assignee_id'], 'rebuilt_ticket_stats')};
        ${upsertCategories('rebuilt_ticket_stats')};
        drop table rebuilt_ticket_stats;
      end $$;`);
    this.addSql(`select rebuild_ticket_stats();`);

    // The live chart's participants: one row per person and hour, whatever they wrote. Rows are
    // only ever added (a message's author, time and visibility never change), so concurrent
    // writers at most wait for each other's row, in key order, and never deadlock.
    const participantsOf = (rows: string) => `insert into live_chart_participants (hour, kind, user_id)
        select distinct date_trunc('hour', at, 'UTC'), kind, user_id from (${rows}) p order by 1, 2, 3
        on conflict do nothing`;
    const messageParticipants = (source: string) =>
      `select created_at as at, author_kind as kind, author_id as user_id from ${source}
        where not internal and author_kind in ('CUSTOMER', 'AGENT') and author_id is not null`;
    const ticketParticipants = (source: string) => `select created_at as at, 'CUSTOMER' as kind, customer_id as user_id from ${source}`;
    this.addSql(`create function "live_chart_capture_messages"() returns trigger language plpgsql as $$
      begin
        ${participantsOf(messageParticipants('new_rows'))};
        return null;
      end $$;`);
    this.addSql(`create function "live_chart_capture_tickets"() returns trigger language plpgsql as $$
      begin
        ${participantsOf(ticketParticipants('new_rows'))};
        return null;
      end $$;`);
    this.addSql(`create trigger "messages_live_chart_insert" after insert on "messages" referencing new table as new_rows for each statement execute function live_chart_capture_messages();`);
    this.addSql(`create trigger "tickets_live_chart_insert" after insert on "tickets" referencing new table as new_rows for each statement execute function live_chart_capture_tickets();`);
    // The last 8 days (the longest chart is 7), from what is there: at migration, and after a bulk load.
    this.addSql(`create function "rebuild_live_chart_participants"() returns void language plpgsql as $$
      declare
        since timestamptz := date_trunc('hour', now(), 'UTC') - interval '8 days';
      begin
        truncate live_chart_participants;
        ${participantsOf(`${messageParticipants('messages')} and created_at >= since union all ${ticketParticipants('tickets')} where created_at >= since`)};
      end $$;`);
    this.addSql(`select rebuild_live_chart_participants();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "messages_live_chart_insert" on "messages";`);
    this.addSql(`drop trigger if exists "tickets_live_chart_insert" on "tickets";`);
    this.addSql(`drop function if exists "rebuild_live_chart_participants"();`);
    this.addSql(`drop function if exists "live_chart_capture_messages"();`);
    this.addSql(`drop function if exists "live_chart_capture_tickets"();`);
    this.addSql(`drop trigger if exists "tickets_stats_insert" on "tickets";`);
    this.addSql(`drop trigger if exists "tickets_stats_update" on "tickets";`);
    this.addSql(`drop trigger if exists "tickets_stats_delete" on "tickets";`);
    this.addSql(`drop function if exists "rebuild_ticket_stats"();`);
    this.addSql(`drop function if exists "fold_ticket_stats"(integer);`);
    this.addSql(`drop function if exists "ticket_stats_capture"();`);
    this.addSql(`drop function if exists "ticket_stats_measures"(tickets, integer);`);

    this.addSql(`drop table if exists "live_chart_participants" cascade;`);

    this.addSql(`drop table if exists "ticket_agent_stats_hourly" cascade;`);

    this.addSql(`drop table if exists "ticket_category_stats_hourly" cascade;`);

    this.addSql(`drop table if exists "ticket_stats_deltas" cascade;`);

    this.addSql(`drop table if exists "ticket_stats_hourly" cascade;`);

    this.addSql(`drop index "tickets_resolved_at_idx";`);
    this.addSql(`drop index "tickets_sla_first_response_due_idx";`);
    this.addSql(`drop index "tickets_sla_resolution_due_idx";`);
  }

}
