/**
 * Reading what a Telegram message says to the bot: a leading /command (telegraf's rule: the first entity is a
 * bot_command at offset 0, and /cmd@name counts only when name is this bot), and mentions of the bot. Entity
 * offsets are UTF-16 code units, which is exactly how JavaScript indexes strings.
 */

export interface Entity {
  type: string;
  offset: number;
  length: number;
  user?: { id: number } | undefined;
}

export type ParsedCommand =
  | { kind: 'none' }
  /** "/cmd@other_bot": meant for another bot in the group. */
  | { kind: 'foreign' }
  | { kind: 'command'; name: string; payload: string };

export function parseCommand(text: string, entities: readonly Entity[], botUsername: string): ParsedCommand {
  const first = entities[0];
  if (!first || first.type !== 'bot_command' || first.offset !== 0) return { kind: 'none' };
  const [cmd = '', target] = text.slice(1, first.length).split('@');
  if (target !== undefined && target.toLowerCase() !== botUsername.toLowerCase()) return { kind: 'foreign' };
  return { kind: 'command', name: cmd.toLowerCase(), payload: text.slice(first.length).trim() };
}

/** The entities that mention this bot: "@bot" (any case) or a text_mention of its user id. */
export function botMentions(text: string, entities: readonly Entity[], bot: { username: string; id: number }): Entity[] {
  const handle = `@${bot.username}`.toLowerCase();
  return entities.filter(
    (e) =>
      (e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
      (e.type === 'text_mention' && e.user?.id === bot.id),
  );
}

/** The text with the given entities cut out and the spaces around them collapsed. */
export function withoutEntities(text: string, cut: readonly Entity[]): string {
  let out = '';
  let pos = 0;
  for (const e of [...cut].sort((a, b) => a.offset - b.offset)) {
    out += `${text.slice(pos, e.offset)} `;
    pos = e.offset + e.length;
  }
  out += text.slice(pos);
  return out.replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').trim();
}
