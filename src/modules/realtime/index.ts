import { SetTypingMutation } from './mutations/set-typing.mutation';
import { MessageAddedSubscription } from './subscriptions/message-added.subscription';
import { MessagesReadSubscription } from './subscriptions/messages-read.subscription';
import { PresenceSubscription } from './subscriptions/presence.subscription';
import { TicketCreatedSubscription } from './subscriptions/ticket-created.subscription';
import { TicketStatusChangedSubscription } from './subscriptions/ticket-status-changed.subscription';
import { TicketUpdatedSubscription } from './subscriptions/ticket-updated.subscription';
import { TypingSubscription } from './subscriptions/typing.subscription';

export const realtimeResolvers = [
  SetTypingMutation,
  MessageAddedSubscription,
  TicketStatusChangedSubscription,
  TicketUpdatedSubscription,
  TicketCreatedSubscription,
  MessagesReadSubscription,
  TypingSubscription,
  PresenceSubscription,
];
