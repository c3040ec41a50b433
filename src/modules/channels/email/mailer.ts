import nodemailer, { type Transporter } from 'nodemailer';
import { PermanentJobError } from '../../../infra/outbox/jobs';

export interface OutgoingMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** Stable per notification, so a resend after a crash is recognisable as the same e-mail. */
  messageId: string;
}

const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** SMTP through nodemailer, from SMTP_URL (e.g. `smtp://user:pass@host:587`, `smtps://…:465`). */
export class Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // nodemailer's defaults wait minutes; a stuck server should fail the attempt and let the job retry.
    const url = new URL(smtpUrl);
    for (const [name, value] of Object.entries(TIMEOUTS)) if (!url.searchParams.has(name)) url.searchParams.set(name, String(value));
    this.transport = nodemailer.createTransport(url.toString());
  }

  /** Sends one e-mail; a 5xx answer from the server (no such mailbox, refused) is final, anything else is retried. */
  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: { name: mail.to.name, address: mail.to.address },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (code && code >= 500) throw new PermanentJobError(`SMTP refused the message (${code}): ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }

  close(): void {
    this.transport.close();
  }
}
