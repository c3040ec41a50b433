import { Session, RefreshToken } from '../modules/accounts/session.entity';
import { User } from '../modules/accounts/user.entity';
import { Agent } from '../modules/agents/agent.entity';
import { Article, ArticleSlug } from '../modules/articles/article.entity';
import { Faq } from '../modules/articles/faq.entity';
import { ArticleView, ArticleVote, FaqView, FaqVote } from '../modules/articles/feedback.entity';
import { Attachment } from '../modules/messages/attachment.entity';
import { Message } from '../modules/messages/message.entity';
import { ReadCursor } from '../modules/messages/read-cursor.entity';
import { Notification } from '../modules/notifications/notification.entity';
import { TicketEvent } from '../modules/tickets/ticket-event.entity';
import { Ticket, TicketNumberSequence } from '../modules/tickets/ticket.entity';
import {
  LiveChartParticipant,
  TicketAgentStatsHourly,
  TicketCategoryStatsHourly,
  TicketStatsDelta,
  TicketStatsHourly,
  TicketStatsMeasures,
} from '../modules/dashboard/ticket-stats.entity';
// Indexes that the dashboard and the SLA job declare on the tickets table.
import '../modules/dashboard/dashboard.indexes';
import '../modules/sla/sla.indexes';
import { Job } from './outbox/job.entity';

/** Every entity, listed once: the ORM, the migration CLI and the tests discover from here. */
export const entities = [
  User,
  Session,
  RefreshToken,
  Agent,
  Ticket,
  TicketNumberSequence,
  TicketEvent,
  Message,
  Attachment,
  ReadCursor,
  Notification,
  Article,
  ArticleSlug,
  ArticleVote,
  ArticleView,
  Faq,
  FaqVote,
  FaqView,
  TicketStatsMeasures,
  TicketStatsHourly,
  TicketAgentStatsHourly,
  TicketCategoryStatsHourly,
  TicketStatsDelta,
  LiveChartParticipant,
  Job,
];
