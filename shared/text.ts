// Domain: cutting text between characters, for every channel and limit that cuts.

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * `end`, or one less when the unit before it is the first half of a surrogate pair (an emoji, say):
 * cutting there would leave half a character, which is not text. The SDK's request encoding throws
 * on it (`URIError: URI malformed`), and other receivers may refuse it.
 */
export const wholeCharacterEnd = (text: string, end: number): number => (isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end);

/** The first `end` UTF-16 units of `text`, one fewer when that would split a surrogate pair. */
export const sliceWhole = (text: string, end: number): string => text.slice(0, wholeCharacterEnd(text, end));
