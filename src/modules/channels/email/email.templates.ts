/**
 * The e-mails Parley sends, each as a subject, a plain-text body and an HTML body saying the same.
 * Everything that comes from people (subjects, names, message text) is escaped in the HTML.
 */

export type MailTemplate = 'NEW_TICKET' | 'TICKET_ASSIGNED' | 'STATUS_CHANGED' | 'TICKET_RESOLVED' | 'NEW_REPLY';

export interface MailFacts {
  recipientName: string;
  ticket: { number: string; subject: string; status: string; priority: string; channel: string; description?: string | null };
  /** Who opened the ticket (for staff). */
  customerName?: string;
  /** The new reply, as a preview. */
  excerpt?: string | null;
  /** The ticket in the web app, when WEB_URL is set. */
  link?: string | null;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const STATUS_WORDS: Record<string, string> = {
  OPEN: 'waiting for an agent',
  IN_PROGRESS: 'being worked on',
  WAITING_ON_CUSTOMER: 'waiting for your reply',
  RESOLVED: 'resolved',
  CLOSED: 'closed',
};

interface Content {
  subject: string;
  greeting: string;
  lead: string;
  details?: [label: string, value: string][];
  quote?: string | null;
  closing?: string;
  action?: string;
}

function content(template: MailTemplate, facts: MailFacts): Content {
  const { ticket } = facts;
  const tag = `[${ticket.number}]`;
  switch (template) {
    case 'NEW_TICKET':
      return {
        subject: `${tag} New ticket: ${ticket.subject}`,
        greeting: `Hello ${facts.recipientName},`,
        lead: `${facts.customerName ?? 'A customer'} opened a new ticket.`,
        details: [
          ['Subject', ticket.subject],
          ['Priority', ticket.priority],
          ['Channel', ticket.channel],
        ],
        quote: ticket.description,
        action: 'Open the ticket',
      };
    case 'TICKET_ASSIGNED':
      return {
        subject: `${tag} Assigned to you: ${ticket.subject}`,
        greeting: `Hello ${facts.recipientName},`,
        lead: `Ticket ${ticket.number} is now yours.`,
        details: [
          ['Subject', ticket.subject],
          ['Priority', ticket.priority],
          ['Status', STATUS_WORDS[ticket.status] ?? ticket.status],
        ],
        action: 'Open the ticket',
      };
    case 'STATUS_CHANGED':
      return {
        subject: `${tag} Your ticket is ${STATUS_WORDS[ticket.status] ?? ticket.status.toLowerCase()}`,
        greeting: `Hello ${facts.recipientName},`,
        lead: `Your ticket "${ticket.subject}" is now ${STATUS_WORDS[ticket.status] ?? ticket.status.toLowerCase()}.`,
        action: 'View your ticket',
      };
    case 'TICKET_RESOLVED':
      return {
        subject: `${tag} Your ticket was resolved`,
        greeting: `Hello ${facts.recipientName},`,
        lead: `We have resolved your ticket "${ticket.subject}".`,
        closing: 'If something is still not right, just reply in the conversation and the ticket opens again. You can also rate how we did.',
        action: 'View your ticket',
      };
    case 'NEW_REPLY':
      return {
        subject: `${tag} New reply: ${ticket.subject}`,
        greeting: `Hello ${facts.recipientName},`,
        lead: `There is a new reply on your ticket "${ticket.subject}".`,
        quote: facts.excerpt,
        action: 'Read and reply',
      };
  }
}

export function renderMail(template: MailTemplate, facts: MailFacts): RenderedMail {
  const c = content(template, facts);
  const text = [
    c.greeting,
    '',
    c.lead,
    ...(c.details?.length ? ['', ...c.details.map(([label, value]) => `${label}: ${value}`)] : []),
    ...(c.quote ? ['', ...c.quote.split('\n').map((line) => `> ${line}`)] : []),
    ...(c.closing ? ['', c.closing] : []),
    ...(facts.link ? ['', `${c.action}: ${facts.link}`] : []),
    '',
    '— Parley support',
  ].join('\n');

  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(c.subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p>${escapeHtml(c.greeting)}</p>
<p>${escapeHtml(c.lead)}</p>
${
  c.details?.length
    ? `<table role="presentation" style="border-collapse:collapse;margin:16px 0">${c.details
        .map(([label, value]) => `<tr><td style="padding:2px 16px 2px 0;color:#57606a">${escapeHtml(label)}</td><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`)
        .join('')}</table>`
    : ''
}${c.quote ? `<blockquote style="margin:16px 0;padding:8px 16px;border-left:4px solid #d0d7de;color:#57606a;white-space:pre-wrap">${escapeHtml(c.quote)}</blockquote>` : ''}
${c.closing ? `<p>${escapeHtml(c.closing)}</p>` : ''}
${facts.link ? `<p><a href="${escapeHtml(facts.link)}" style="display:inline-block;padding:8px 16px;background:#0969da;color:#ffffff;border-radius:6px;text-decoration:none">${escapeHtml(c.action ?? 'Open')}</a></p>` : ''}
<p style="color:#57606a;font-size:12px">Ticket ${escapeHtml(facts.ticket.number)} · Parley support</p>
</div>
</body>
</html>`;
  return { subject: c.subject.replace(/[\r\n]+/g, ' '), text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
