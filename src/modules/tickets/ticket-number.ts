import type { EntityManager } from '@mikro-orm/postgresql';
import { execute } from '../../infra/sql';

/** `TKT-YYYYMMDD-NNNNN`: the UTC day and that day's sequence (wider past 99,999 a day). */
export function formatTicketNumber(day: string, sequence: number): string {
  return `TKT-${day}-${String(sequence).padStart(5, '0')}`;
}

export function ticketDay(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}

export const TICKET_NUMBER_PATTERN = /^TKT-\d{8}-\d{5,}$/;

/**
 * Takes the next number of `at`'s day. The upsert locks the day's counter row until the
 * surrounding transaction ends, so concurrent creates get consecutive numbers and a rolled-back
 * create gives its number back.
 */
export async function nextTicketNumber(em: EntityManager, at: Date): Promise<string> {
  const day = ticketDay(at);
  const rows = await execute<{ last_value: number }>(
    em,
    `insert into ticket_number_sequences (day, last_value) values (?, 1)
     on conflict (day) do update set last_value = ticket_number_sequences.last_value + 1
     returning last_value`,
    [day],
  );
  return formatTicketNumber(day, rows[0].last_value);
}
