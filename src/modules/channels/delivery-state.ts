import { registerEnumType } from 'type-graphql';

/** Where a message stands on its way to an outside channel (Messenger); stored in `messages.delivery_state`. */
export enum DeliveryState {
  /** Queued in the outbox, not delivered yet (retries included). */
  PENDING = 'PENDING',
  SENT = 'SENT',
  /** Given up: the channel refused it, or every retry failed. */
  FAILED = 'FAILED',
  /** Deleted before it went out, so it was never sent. */
  CANCELLED = 'CANCELLED',
}
registerEnumType(DeliveryState, { name: 'DeliveryState', description: 'Delivery of a message to the outside channel its ticket came from.' });
