/**
 * The Slack app manifest: every URL at $PUBLIC_URL/slack/events, the scopes the flows use and nothing more.
 * docs/slack-app-manifest.yaml is this text with the literal "$PUBLIC_URL" (a test keeps the two equal).
 */
import { SLACK_EVENTS_PATH } from './slack-routes.ts';
import { ASSIST_COMMAND } from './slack-interactions.ts';

/** Bot scopes, each with the reason it is needed. */
export const SLACK_BOT_SCOPES: Record<string, string> = {
  'chat:write': 'post ticket threads, confirmations, replies and prompts',
  commands: `the ${ASSIST_COMMAND} slash command`,
  'reactions:read': 'the reaction_added event',
  'channels:history': 'read a reacted message and thread replies in public channels',
  'groups:history': 'the same in private channels',
  'im:history': 'the same in direct messages with the app',
  'im:write': "find the app's direct chat with a person, to check what was delivered there",
  'mpim:history': 'the same in group direct messages',
  'files:read': "download the files people send (url_private_download, files.info for Slack Connect)",
  'files:write': "upload an agent's files into the ticket's thread (the external upload flow)",
  'users:read': 'the locale and name of a person',
  'users:read.email': 'know the person by the email of their workspace profile',
};

export const SLACK_BOT_EVENTS = ['reaction_added', 'message.channels', 'message.groups', 'message.im', 'message.mpim'];

export function slackAppManifest(publicUrl: string): string {
  const url = `${publicUrl.replace(/\/+$/, '')}${SLACK_EVENTS_PATH}`;
  const scopes = Object.entries(SLACK_BOT_SCOPES)
    .map(([scope, why]) => `      - ${scope} # ${why}`)
    .join('\n');
  const events = SLACK_BOT_EVENTS.map((e) => `      - ${e}`).join('\n');
  return `# Slack app manifest for the help-desk bot. Replace $PUBLIC_URL with the service's public base URL, then
# paste this at https://api.slack.com/apps -> Create New App -> From an app manifest. See docs/slack.md.
display_information:
  name: Help Desk
  description: Turns Slack messages into help-center requests and keeps their threads in sync.
  background_color: "#1d3557"
features:
  app_home:
    home_tab_enabled: false
    messages_tab_enabled: true
    messages_tab_read_only_enabled: false
  bot_user:
    display_name: helpdesk
    always_online: true
  slash_commands:
    - command: ${ASSIST_COMMAND}
      url: ${url}
      description: Open a support request
      usage_hint: "[problem description]"
      should_escape: false
oauth_config:
  scopes:
    bot:
${scopes}
settings:
  event_subscriptions:
    request_url: ${url}
    bot_events:
${events}
  interactivity:
    is_enabled: true
    request_url: ${url}
  org_deploy_enabled: false
  socket_mode_enabled: false
  token_rotation_enabled: false
`;
}
