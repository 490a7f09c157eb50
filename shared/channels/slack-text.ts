// Domain: making text that comes from an alarm safe and short enough for Slack's Block Kit.
import { wholeCharacterEnd } from '../text';

/** Block Kit limits we format against (Slack rejects the whole message when one is exceeded). */
export const SLACK_LIMITS = {
  sectionText: 3_000,
  headerText: 150,
  fieldText: 2_000,
  contextElementText: 2_000,
  fallbackText: 4_000,
  blocksPerMessage: 50,
  fieldsPerSection: 10,
} as const;

/**
 * Escapes the three characters Slack treats as control characters, so alarm text can neither
 * mention `<!channel>` nor hide a link behind other words.
 */
export const escapeSlackText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `max` UTF-16 units, ending in an ellipsis when cut. Never splits a
 * surrogate pair or an HTML entity produced by escaping (`&amp;`, `&lt;`, `&gt;`).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = wholeCharacterEnd(text, max - ELLIPSIS.length);
  const amp = text.lastIndexOf('&', end - 1);
  if (amp !== -1 && amp > end - 5 && !text.slice(amp, end).includes(';')) {
    const entity = /^&(amp|lt|gt);/.exec(text.slice(amp, amp + 5));
    if (entity && amp + entity[0].length > end) end = amp;
  }
  return text.slice(0, end) + ELLIPSIS;
}

/** Escapes, then truncates without breaking what escaping produced. */
export const safeSlackText = (text: string, max: number): string => truncate(escapeSlackText(text), max);
