/**
 * How an end user signs in to the help center without a password: a one-time link, valid for 15 minutes, used
 * once. The token is 32 random bytes; only its sha256 is stored, so neither the database nor the job queue ever
 * holds a token that works. Asking by email only queues a job (the answer is the same whether or not the address
 * is known); the job, in the worker, makes the token and mails it. A chat can ask for a link for its linked
 * account (linkForChatUser) and post it in a private chat.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '../directory/directory-service.ts';
import { DomainError } from '../errors.ts';
import { toLocale, type Locale } from '../locale.ts';
import type { ChatUserRef } from '../chat/chat-events.ts';
import type { EmailSignInJob, RequesterRepo, SignInJobs, SignInLinkRepo, SignInLinkState } from '../ports/help-center-port.ts';
import type { MailPort } from '../ports/mail-port.ts';
import type { Store, UserRecord } from '../ports/store-port.ts';
import { EMAIL_RE, normaliseEmail } from '../tickets/ticket-service.ts';

export const SIGN_IN_LINK_MINUTES = 15;
export const SIGN_IN_LINK_PATH = '/login/link/';
/** 32 bytes in base64url. Anything else is not ours and never reaches the database. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export interface SignInMailInput {
  locale: Locale;
  name: string;
  url: string;
  minutes: number;
}

/** Words and markup of the sign-in mail (in the help center's catalog); the core decides who gets which link. */
export type SignInMailComposer = (input: SignInMailInput) => { subject: string; text: string; html: string };

export interface SignInServiceDeps {
  users: Pick<Store, 'findUserByEmail' | 'getUser' | 'findIdentity'>;
  preferences: Pick<RequesterRepo, 'getPreferences'>;
  links: SignInLinkRepo;
  jobs: SignInJobs;
  /** Null when no mail server is configured: email sign-in is then unavailable. */
  mail: MailPort | null;
  composeMail: SignInMailComposer;
  publicUrl: string;
  clock?: () => Date;
}

export type EmailLinkOutcome = 'sent' | 'not_a_customer' | 'unavailable';

export function createSignInService(deps: SignInServiceDeps) {
  const { users, links, mail } = deps;
  const now = deps.clock ?? (() => new Date());

  async function createLink(userId: string, next: string | null): Promise<{ url: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now().getTime() + SIGN_IN_LINK_MINUTES * 60_000);
    await links.insert({ tokenHash: sha256(token), userId, nextPath: next, expiresAt });
    return { url: `${deps.publicUrl}${SIGN_IN_LINK_PATH}${token}`, expiresAt };
  }

  /** The language of the mail: the person's own choice, else the language of the page they asked from. */
  async function mailLocale(user: UserRecord, askedIn: string): Promise<Locale> {
    const prefs = await deps.preferences.getPreferences(user.id);
    return toLocale(prefs?.localeChosen ? prefs.locale : askedIn);
  }

  return {
    emailAvailable: mail !== null,

    /**
     * Queues the mail of a sign-in link to this address. Unknown addresses, agents' addresses and malformed input
     * get the same 'queued' (the job finds nobody and sends nothing), so the answer tells nobody who has an account.
     */
    async requestByEmail(email: string, opts: { locale: string; next: string | null }): Promise<'queued' | 'unavailable'> {
      if (!mail) return 'unavailable';
      const address = normaliseEmail(email);
      if (address.length <= 254 && EMAIL_RE.test(address)) {
        await deps.jobs.enqueueEmailLink({ email: address, locale: toLocale(opts.locale), next: opts.next });
      }
      return 'queued';
    },

    /** The job's work: makes the link and mails it, if the address is an end user's (agents sign in with a password). */
    async deliverEmailLink(job: EmailSignInJob): Promise<EmailLinkOutcome> {
      if (!mail) return 'unavailable';
      const user = await users.findUserByEmail(job.email);
      if (!user || user.role !== 'end_user') return 'not_a_customer';
      const { url } = await createLink(user.id, job.next);
      const content = deps.composeMail({ locale: await mailLocale(user, job.locale), name: user.name, url, minutes: SIGN_IN_LINK_MINUTES });
      await mail.send({
        to: { address: user.email, name: user.name },
        ...content,
        // RFC 3834: a machine's mail; out-of-office replies must not answer it.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
      return 'sent';
    },

    /**
     * A sign-in link for the end user linked to this chat account, for the bot to post in a private chat (never in
     * a group: whoever reads the link can use it). Null when the account is not linked to an end user.
     */
    async linkForChatUser(ref: ChatUserRef, next: string | null = null): Promise<{ url: string; expiresAt: Date; locale: Locale } | null> {
      const user = await users.findIdentity(ref.platform, ref.workspaceId, ref.platformUserId);
      if (!user || user.role !== 'end_user') return null;
      return { ...(await createLink(user.id, next)), locale: toLocale(user.locale) };
    },

    /** What a link is, without using it: the confirmation page says at once when it cannot work. */
    async check(token: string): Promise<SignInLinkState> {
      if (!TOKEN_RE.test(token)) return 'invalid';
      return links.peek(sha256(token), now());
    },

    /** Uses the link (once: of two concurrent uses exactly one signs in) and returns whom it signs in. */
    async redeem(token: string): Promise<{ user: UserRecord; next: string | null }> {
      if (!TOKEN_RE.test(token)) throw new DomainError('link_code_invalid', 'this sign-in link is not valid');
      const r = await links.consume(sha256(token), now());
      if (r === 'invalid') throw new DomainError('link_code_invalid', 'this sign-in link is not valid');
      if (r === 'expired') throw new DomainError('link_code_expired', 'this sign-in link has expired');
      if (r === 'used') throw new DomainError('link_code_used', 'this sign-in link was already used');
      const user = await users.getUser(r.userId);
      // Someone made an agent since the link was sent: agents sign in with their password only.
      if (!user || user.role !== 'end_user') throw new DomainError('link_code_invalid', 'this sign-in link is not valid');
      return { user, next: r.nextPath };
    },

    /** Links that expired more than a day ago are of no use, not even to say "expired". */
    purgeExpired: () => links.purge(new Date(now().getTime() - 86_400_000)),
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
