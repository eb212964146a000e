/**
 * Who a chat person is in the help center, decided once for every channel. A chat account is someone's when it is
 * linked (a one-time code, or earlier by a verified email), or when the platform vouches for an email (a workspace
 * profile): then it is linked to the user with that email, created as an end user if new. What a person types is
 * never taken as their identity.
 */
import { toLocale, type Locale } from '../locale.ts';
import type { Store, UserRecord } from '../ports/store-port.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import type { ChatPerson, ChatProfile } from './chat-events.ts';
import { storable } from '../text-rules.ts';

export interface ChatIdentityDeps {
  store: Pick<Store, 'findIdentity' | 'upsertIdentity'>;
  directory: Pick<DirectoryService, 'findOrCreateEndUser'>;
}

/** One person within one event: the profile is fetched at most once, the user resolved at most once. */
export interface ResolvedPerson {
  person: ChatPerson;
  profile(): Promise<ChatProfile>;
  /** The linked user, or the one the verified email names (linked now); null when neither is known. */
  user(): Promise<UserRecord | null>;
  /** The person's language: the platform's, else their help-center preference, else English. */
  locale(): Promise<Locale>;
}

export function createChatIdentity(deps: ChatIdentityDeps) {
  const { store, directory } = deps;

  return {
    resolve(person: ChatPerson): ResolvedPerson {
      let profile: Promise<ChatProfile> | null = null;
      let user: Promise<UserRecord | null> | null = null;
      const getProfile = () => (profile ??= person.profile().then(storable));
      const getUser = () =>
        (user ??= (async () => {
          if (person.byAddress) {
            // The address is all there is: the user it names (an end user, made if new), no chat account linked.
            const p = await getProfile();
            return directory.findOrCreateEndUser(person.platformUserId, p.displayName, p.locale ?? undefined);
          }
          const linked = await store.findIdentity(person.platform, person.workspaceId, person.platformUserId);
          if (linked) return linked;
          const p = await getProfile();
          if (!p.verifiedEmail) return null;
          const found = await directory.findOrCreateEndUser(p.verifiedEmail, p.displayName, p.locale ?? undefined);
          await store.upsertIdentity({
            platform: person.platform,
            workspaceId: person.workspaceId,
            platformUserId: person.platformUserId,
            userId: found.id,
            displayName: p.displayName,
            locale: p.locale ?? found.locale,
          });
          return found;
        })());
      return {
        person,
        profile: getProfile,
        user: getUser,
        async locale() {
          const p = await getProfile().catch(() => null);
          if (p?.locale) return p.locale;
          const u = await getUser().catch(() => null);
          return toLocale(u?.locale);
        },
      };
    },

    /** Links a chat account to a user (a redeemed code); the profile gives its name and language. */
    async link(person: ChatPerson, user: UserRecord): Promise<void> {
      const p = await person.profile();
      await store.upsertIdentity({
        platform: person.platform,
        workspaceId: person.workspaceId,
        platformUserId: person.platformUserId,
        userId: user.id,
        displayName: p.displayName,
        locale: p.locale ?? user.locale,
      });
    },
  };
}

export type ChatIdentity = ReturnType<typeof createChatIdentity>;
