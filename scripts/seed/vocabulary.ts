import type { Random } from './random';

/** What the demo talks about: three departments, each with the skills its agents have. */
export const DEPARTMENTS = ['billing', 'technical', 'accounts'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export interface Category {
  name: string;
  department: Department;
  /** The skill routing looks for. */
  skill: string;
  tags: string[];
  subjects: string[];
  descriptions: string[];
  /** Customer follow-ups and answers to the agent's questions. */
  followUps: string[];
  /** The agent's questions and progress updates. */
  agentReplies: string[];
  /** The agent's last reply before resolving. */
  resolutions: string[];
  internalNotes: string[];
}

export const CATEGORIES: Category[] = [
  {
    name: 'refund',
    department: 'billing',
    skill: 'refunds',
    tags: ['refund', 'payment'],
    subjects: ['Refund for order {order}', 'I was charged twice for {order}', 'Where is my refund?', 'Cancel and refund my last order'],
    descriptions: [
      'I cancelled order {order} on {date} but the {amount} has not come back to my card ending {last4}.',
      'My statement shows two charges of {amount} for order {order}. Please refund one of them.',
      'I returned the items from {order} a week ago. When will I see the refund of {amount}?',
    ],
    followUps: [
      'The card ends in {last4}, and the charge was on {date}.',
      'I have attached my bank statement. Both charges are still there.',
      'Any news? It has been a few days now.',
      'Thanks. How long does it usually take to reach the card?',
    ],
    agentReplies: [
      'Thanks for reaching out. Could you confirm the last four digits of the card you paid with?',
      'I can see the duplicate charge on {order}. I have asked our payments team to reverse it.',
      'The refund of {amount} was issued today. Banks usually show it within 3 to 5 business days.',
    ],
    resolutions: [
      'The refund of {amount} for {order} has been processed. You will see it on the card ending {last4} within a few days.',
      'The duplicate charge has been reversed. Sorry for the trouble!',
    ],
    internalNotes: [
      'Duplicate capture confirmed in the payment provider dashboard, refund reference RF-{code}.',
      'Customer had a refund last month too; no abuse pattern, approving.',
      'Escalated to payments: reversal needs manual approval above {amount}.',
    ],
  },
  {
    name: 'payout',
    department: 'billing',
    skill: 'payouts',
    tags: ['payout'],
    subjects: ['Payout not received', 'My payout of {amount} is stuck', 'Change the bank account for payouts'],
    descriptions: [
      'My weekly payout of {amount} scheduled for {date} has not arrived in my bank account.',
      'The payout page says "processing" since {date}. Is something wrong with my account?',
      'I changed banks and need future payouts to go to the new account.',
    ],
    followUps: [
      'The account number ends in {last4}.',
      'Still nothing on my side, and my bank says no transfer is pending.',
      'Great, I will keep an eye on it.',
    ],
    agentReplies: [
      'I am sorry for the delay. Could you confirm the last digits of the receiving account?',
      'Your payout was held for a routine verification. I have released it now.',
      'The transfer left us on {date}; the reference is PO-{code}. Your bank may need a day to credit it.',
    ],
    resolutions: ['The payout of {amount} has been sent with reference PO-{code}.', 'Your new bank account is set for future payouts.'],
    internalNotes: ['Payout held by the risk rule for new bank details; verified the account holder name.', 'Bank returned the first transfer, resent manually.'],
  },
  {
    name: 'invoice',
    department: 'billing',
    skill: 'invoices',
    tags: ['invoice'],
    subjects: ['Need an invoice with our VAT number', 'Invoice {invoice} has the wrong address', 'Download invoices for last year'],
    descriptions: [
      'Our finance team needs invoice {invoice} reissued with our VAT number on it.',
      'The company address on invoice {invoice} is outdated. Can you correct it?',
      'Where can I download all invoices for last year in one go?',
    ],
    followUps: ['The VAT number is DE{code}.', 'Thank you, that is the right address now.', 'Could you send it as PDF as well?'],
    agentReplies: [
      'Happy to help. Which VAT number should appear on the invoice?',
      'I have updated the billing address. New invoices will use it automatically.',
      'You can export all invoices under Settings → Billing → History.',
    ],
    resolutions: ['Invoice {invoice} has been reissued with your VAT number and sent to your e-mail.', 'The corrected invoice is attached.'],
    internalNotes: ['Reissued invoice {invoice}; the original is voided in the ledger.'],
  },
  {
    name: 'subscription',
    department: 'billing',
    skill: 'subscriptions',
    tags: ['subscription', 'plan'],
    subjects: ['Downgrade my plan', 'Charged after cancelling my subscription', 'Switch to annual billing'],
    descriptions: [
      'I would like to move from the Pro plan to the Basic plan from next month.',
      'I cancelled my subscription on {date} but was charged {amount} again.',
      'Can we switch to annual billing and get the discount?',
    ],
    followUps: ['Yes, from next month is fine.', 'I cancelled in the app, I have the confirmation e-mail.', 'Perfect, thanks for the quick help.'],
    agentReplies: [
      'I can do that for you. Should the change take effect now or at the next renewal?',
      'I see the cancellation, but it was made after the renewal had already run. I will refund that charge.',
    ],
    resolutions: ['Your plan is now Basic from your next renewal.', 'The charge of {amount} after your cancellation has been refunded.'],
    internalNotes: ['Cancellation landed 3 minutes after renewal; refunding as goodwill.'],
  },
  {
    name: 'api',
    department: 'technical',
    skill: 'api',
    tags: ['api', 'developer'],
    subjects: ['API returns 500 on {endpoint}', 'Rate limited on {endpoint}', 'Webhook signatures do not verify'],
    descriptions: [
      'Since {date}, POST {endpoint} returns HTTP 500 about one time in ten. Request id req_{code}.',
      'We get 429 responses on {endpoint} although we send fewer than 10 requests per second.',
      'The webhook signature check fails for every event since we rotated the secret.',
    ],
    followUps: [
      'Here is another failing request id: req_{code}.',
      'We are on the latest SDK version.',
      'That fixed it, the errors are gone.',
      'It happens again since this morning.',
    ],
    agentReplies: [
      'Thanks for the request id. Could you share the full request body (without secrets) of a failing call?',
      'We found a timeout in one of our services behind {endpoint}; a fix is being deployed.',
      'The signature uses the raw body. Make sure your framework does not parse the JSON before verifying.',
    ],
    resolutions: ['The fix for {endpoint} is live; error rates are back to normal.', 'Your rate limit has been raised to 50 requests per second.'],
    internalNotes: ['Traces show the 500s come from the ledger service timing out under load. Linked to incident INC-{code}.', 'Customer is on the Enterprise plan: rate limit bump approved by the PM.'],
  },
  {
    name: 'mobile-app',
    department: 'technical',
    skill: 'mobile',
    tags: ['mobile', 'app'],
    subjects: ['App crashes on start', 'Notifications stopped on {device}', 'Cannot upload photos in the app'],
    descriptions: [
      'The app crashes right after the splash screen on my {device} since the last update.',
      'I no longer get push notifications on my {device}, although they are enabled.',
      'Uploading a photo in the chat spins forever and then fails.',
    ],
    followUps: ['I am on version 5.{code}.', 'Reinstalling did not help.', 'It works again after the update, thank you!'],
    agentReplies: [
      'Sorry about that. Which app version and which OS version are you on?',
      'Could you try logging out and in again? That re-registers the device for notifications.',
      'This is a known issue in the current release; the fix ships in the next update.',
    ],
    resolutions: ['Version 5.{code} with the fix is now in the store. Please update and let us know.', 'Notifications are working again on your device.'],
    internalNotes: ['Crash reports match the known issue with older Android WebView. Linked to the mobile bug.', 'Asked QA to reproduce on {device}.'],
  },
  {
    name: 'integration',
    department: 'technical',
    skill: 'integrations',
    tags: ['integration'],
    subjects: ['Slack integration stopped posting', 'Zapier trigger not firing', 'CSV import fails'],
    descriptions: [
      'Our Slack channel stopped receiving updates on {date}.',
      'The "new order" trigger in Zapier does not fire any more.',
      'Importing our customer CSV fails at row 1,204 without a clear message.',
    ],
    followUps: ['We reconnected it but nothing changed.', 'Here is the file, with the personal data removed.', 'Confirmed, it posts again.'],
    agentReplies: [
      'Could you disconnect and reconnect the integration? The token may have expired.',
      'Row 1,204 has a date in an unexpected format. We will make the importer accept it.',
    ],
    resolutions: ['The integration is reconnected and posting again.', 'The importer now accepts that date format; the import went through.'],
    internalNotes: ['Slack revoked the token after the workspace changed its plan.'],
  },
  {
    name: 'performance',
    department: 'technical',
    skill: 'performance',
    tags: ['performance'],
    subjects: ['Dashboard is very slow', 'Reports take minutes to load', 'Timeouts during checkout'],
    descriptions: [
      'The dashboard takes more than 20 seconds to load since {date}.',
      'Monthly reports time out for our account.',
      'Some customers report timeouts at checkout in the evening.',
    ],
    followUps: ['It is slow from every browser we tried, {browser} included.', 'It is much faster now, thanks.'],
    agentReplies: ['Thanks, we are looking into it. Roughly how many records does your account hold?', 'We added an index that speeds up your reports considerably.'],
    resolutions: ['The slow query is fixed; the dashboard loads in about a second now.'],
    internalNotes: ['Slow query log shows a sequential scan on the reports table for this tenant.'],
  },
  {
    name: 'login',
    department: 'accounts',
    skill: 'login',
    tags: ['login', 'access'],
    subjects: ['Cannot log in', 'Password reset e-mail never arrives', 'Account locked after too many attempts'],
    descriptions: [
      'I cannot log in since {date}; the app says my password is wrong although I just reset it.',
      'I requested a password reset three times and never got the e-mail.',
      'My account is locked after too many attempts. Please unlock it.',
    ],
    followUps: ['I checked the spam folder too.', 'I use {browser} on my laptop.', 'I am in now, thank you so much!'],
    agentReplies: [
      'Sorry for the trouble. Which e-mail address do you use to sign in?',
      'The reset e-mails bounced because of a typo in your address. I corrected it, please try again.',
      'I have unlocked your account. You can try again now.',
    ],
    resolutions: ['Your account is unlocked and the password reset works again.', 'Glad you are back in!'],
    internalNotes: ['Reset e-mails bounced: address had a trailing dot. Fixed in the admin panel.'],
  },
  {
    name: 'two-factor',
    department: 'accounts',
    skill: '2fa',
    tags: ['2fa', 'security'],
    subjects: ['Lost my phone with the authenticator', 'Two-factor codes are rejected', 'Disable two-factor authentication'],
    descriptions: [
      'I lost my phone and with it the authenticator app. How do I get into my account?',
      'Every code from my authenticator app is rejected.',
      'Please disable two-factor on my account, I will set it up again on my new phone.',
    ],
    followUps: ['I can confirm my identity, the last payment was {amount}.', 'The clock on my phone was off, codes work now.'],
    agentReplies: [
      'For your security we need to verify your identity first. What was the amount of your last payment?',
      'Codes are time based. Could you check that your phone sets its time automatically?',
    ],
    resolutions: ['Two-factor has been reset. You can set it up again from Settings → Security.'],
    internalNotes: ['Identity verified with the last payment and the account creation date.'],
  },
  {
    name: 'profile',
    department: 'accounts',
    skill: 'profile',
    tags: ['profile'],
    subjects: ['Change the e-mail on my account', 'Merge two accounts', 'Delete my account'],
    descriptions: [
      'I would like to change the e-mail on my account to my work address.',
      'I accidentally created two accounts. Can you merge them?',
      'Please delete my account and all my data.',
    ],
    followUps: ['The other account uses my old e-mail.', 'Yes, I understand that this cannot be undone.', 'Thanks for sorting it out.'],
    agentReplies: ['I can help with that. Please confirm the new address from the e-mail we just sent.', 'Before we delete it: any open orders will be cancelled. Is that fine?'],
    resolutions: ['The accounts are merged; your order history is all in one place now.', 'Your account has been deleted.'],
    internalNotes: ['Merged accounts; kept the older one as primary.'],
  },
  {
    name: 'security',
    department: 'accounts',
    skill: 'security',
    tags: ['security', 'urgent-review'],
    subjects: ['Suspicious login from another country', 'Someone changed my password', 'Phishing e-mail pretending to be you'],
    descriptions: [
      'I got an alert about a login from a country I have never been to.',
      'My password was changed and I did not do it.',
      'I received an e-mail asking me to confirm my card details. Is it from you?',
    ],
    followUps: ['I did not log in from there.', 'I have changed my password and enabled two-factor now.'],
    agentReplies: [
      'I have signed out all sessions on your account. Please set a new password right away.',
      'That e-mail is not from us. Thanks for reporting it; please do not click the link.',
    ],
    resolutions: ['All other sessions are revoked and your account is secured.', 'We have reported the phishing domain for takedown.'],
    internalNotes: ['Login came from a known credential-stuffing range; blocked the IP range.', 'Forwarded the phishing sample to the security team.'],
  },
];

export const CHANNELS = [
  ['WEB', 45],
  ['EMAIL', 20],
  ['MOBILE', 20],
  ['MESSENGER', 10],
  ['API', 5],
] as const;

export const PRIORITIES = [
  ['LOW', 20],
  ['NORMAL', 50],
  ['HIGH', 22],
  ['URGENT', 8],
] as const;

export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Mateo', 'Sofia', 'Lucas', 'Mia', 'Elijah', 'Isabella', 'Oliver',
  'Amelia', 'James', 'Chloe', 'Leo', 'Aisha', 'Omar', 'Yuki', 'Chen', 'Fatima', 'Ivan', 'Zara', 'Diego',
  'Nina', 'Arjun', 'Lea', 'Jonas', 'Sara', 'Felix', 'Ines', 'Hugo', 'Maja', 'Emil', 'Nora', 'Kwame',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Garcia', 'Müller', 'Rossi', 'Kowalski', 'Nguyen', 'Kim', 'Silva', 'Dubois', 'Jensen',
  'Novak', 'Haddad', 'Okafor', 'Tanaka', 'Singh', 'Larsen', 'Costa', 'Weber', 'Moreau', 'Petrov', 'Ahmed',
];

/** The staff of the default demo; larger runs add more agents named from the lists above. */
export const STAFF = {
  supervisor: { name: 'Sam Rivera', email: 'sam@parley.local', languages: ['en', 'es'] },
  agents: [
    { name: 'Maya Okafor', email: 'maya@parley.local', department: 'billing', skills: ['refunds', 'payouts'], languages: ['en', 'fr'], status: 'AVAILABLE', max: 6 },
    { name: 'Lucas Ferreira', email: 'lucas@parley.local', department: 'billing', skills: ['invoices', 'subscriptions', 'refunds'], languages: ['en', 'pt', 'es'], status: 'BUSY', max: 5 },
    { name: 'Hannah Schmidt', email: 'hannah@parley.local', department: 'billing', skills: ['payouts', 'invoices'], languages: ['en', 'de'], status: 'OFFLINE', max: 5 },
    { name: 'Priya Raman', email: 'priya@parley.local', department: 'technical', skills: ['api', 'integrations', 'performance'], languages: ['en'], status: 'AVAILABLE', max: 6 },
    { name: 'Tomás García', email: 'tomas@parley.local', department: 'technical', skills: ['mobile', 'api'], languages: ['es', 'en'], status: 'AWAY', max: 5 },
    { name: 'Kenji Watanabe', email: 'kenji@parley.local', department: 'technical', skills: ['performance', 'integrations', 'mobile'], languages: ['en', 'ja'], status: 'AVAILABLE', max: 4 },
    { name: 'Amara Nwosu', email: 'amara@parley.local', department: 'accounts', skills: ['login', '2fa', 'security'], languages: ['en'], status: 'AVAILABLE', max: 6 },
    { name: 'Élodie Martin', email: 'elodie@parley.local', department: 'accounts', skills: ['profile', 'login'], languages: ['fr', 'en'], status: 'OFFLINE', max: 5 },
  ],
} as const;

export const LANGUAGES = [
  ['en', 70],
  ['es', 10],
  ['de', 7],
  ['fr', 7],
  ['pt', 6],
] as const;

export const FEEDBACK = {
  good: ['Fast and friendly, thank you!', 'Solved in minutes.', 'Great support as always.', 'Very clear explanation.'],
  bad: ['Took far too long.', 'I had to explain everything twice.', 'The problem came back the next day.'],
};

const DEVICES = ['Pixel 8', 'iPhone 15', 'Galaxy S23', 'iPad Air', 'Moto G54'];
const BROWSERS = ['Firefox', 'Chrome', 'Safari', 'Edge'];
const ENDPOINTS = ['/v1/orders', '/v1/payments', '/v1/customers', '/v1/refunds', '/v1/webhooks'];

/** Fills `{order}`, `{amount}`… with values from `random`, so every conversation reads a little differently. */
export function fill(template: string, random: Random, at: Date): string {
  return template.replace(/\{(\w+)\}/g, (_match, slot: string) => {
    switch (slot) {
      case 'order':
        return `#${random.int(100000, 999999)}`;
      case 'invoice':
        return `INV-${at.getUTCFullYear()}-${String(random.int(1, 99999)).padStart(5, '0')}`;
      case 'amount':
        return `€${random.int(5, 900)}.${String(random.int(0, 99)).padStart(2, '0')}`;
      case 'last4':
        return String(random.int(1000, 9999));
      case 'date':
        return new Date(at.getTime() - random.int(1, 10) * 86_400_000).toISOString().slice(0, 10);
      case 'device':
        return random.pick(DEVICES);
      case 'browser':
        return random.pick(BROWSERS);
      case 'endpoint':
        return random.pick(ENDPOINTS);
      case 'code':
        return String(random.int(100, 9999));
      default:
        return slot;
    }
  });
}
