// Domain: moments as operators write and read them — ISO-8601 with a zone, shown to the second. Pure.

/** An ISO-8601 time with its zone, so 04:00 means the same to everyone who reads it. */
const ZONED_ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The moment `text` names when it is an ISO-8601 time with its zone (`2026-12-06T02:00:00Z`,
 * `2026-12-06T03:00+01:00`); undefined for anything else, a time without a zone included, so the
 * caller names the flag it was reading in its own error.
 */
export function parseZonedIsoTime(text: string): Date | undefined {
  if (!ZONED_ISO_TIME.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** `2026-12-06T04:00:00Z`: ISO in UTC to the second, as operators write it (a moment with milliseconds keeps them). */
export const isoToTheSecond = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString()).replace(/\.000Z$/, 'Z');
