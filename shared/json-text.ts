// Text: JSON read from a file (a stage policy, an event), its syntax errors named by file, line and column.
import { InvalidInputError } from './errors';

/** A file that is not JSON; the message reads `<source>: not valid JSON at line L, column C: <why>`. */
export class JsonSyntaxError extends InvalidInputError {
  readonly source: string;
  /** 1-based, as editors count; undefined only if the text's error could not be placed. */
  readonly line?: number;
  readonly column?: number;

  constructor(source: string, why: string, at: { line: number; column: number } | undefined, cause: unknown) {
    super(`${source}: not valid JSON${at ? ` at line ${at.line}, column ${at.column}` : ''}: ${why}`, { cause });
    this.name = 'JsonSyntaxError';
    this.source = source;
    this.line = at?.line;
    this.column = at?.column;
  }
}

/** Parses `text`, read from `source` (a path, as the reader should see it); throws JsonSyntaxError. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const offset = jsonErrorOffset(text);
    throw new JsonSyntaxError(source, shortReason(error), offset === undefined ? undefined : lineAndColumn(text, offset), error);
  }
}

/** V8's reason without its position (given as line and column instead) or its quote of the whole text. */
function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/^(Unexpected token '.+?'), .*is not valid JSON$/s, '$1');
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /["\\/bfnrt]|u[0-9a-fA-F]{4}/y;

/**
 * Where the first syntax error of `text` is, as an offset; undefined when it has none. V8 gives the
 * position of some errors only (not of a trailing comma in an array, nor of a misspelt literal), so
 * the place is found by a strict scan of the grammar, run only once JSON.parse has failed.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new ScanStop(i);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        ESCAPE.lastIndex = i + 1;
        if (!ESCAPE.test(text)) fail();
        i = ESCAPE.lastIndex;
      } else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '"') return string();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        space();
        if (text[i] === close) {
          i++;
          return;
        }
        if (text[i] !== ',') fail();
        i++;
      }
    }
    LITERAL.lastIndex = i;
    if (!LITERAL.test(text)) fail();
    i = LITERAL.lastIndex;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (stop) {
    if (stop instanceof ScanStop) return stop.offset;
    throw stop;
  }
}

class ScanStop {
  constructor(readonly offset: number) {}
}
