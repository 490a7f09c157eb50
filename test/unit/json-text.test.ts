// Unit tests: JSON text with its syntax errors placed by line and column, as an editor counts them.
import { JsonSyntaxError, jsonErrorOffset, parseJsonText } from '../../shared/json-text';

const placed = (text: string) => {
  try {
    parseJsonText(text, 'x.json');
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { line: error.line, column: error.column, message: error.message };
  }
  throw new Error('expected a JsonSyntaxError');
};

describe('parseJsonText', () => {
  it('parses JSON', () => {
    expect(parseJsonText('{"a": [1, "b", null, true, -2.5e3]}', 'x.json')).toEqual({ a: [1, 'b', null, true, -2500] });
  });

  it.each([
    ['a trailing comma in an object', '{\n  "a": 1,\n}', 3, 1],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['a trailing comma in an array (V8 gives no position)', '{\n  "a": [1, 2,]\n}', 2, 14],
    ['a misspelt literal (V8 gives no position)', '{\n  "a": tru\n}', 2, 8],
    ['an unquoted key', '{\n  a: 1\n}', 2, 3],
    ['a comment', '{\n  // note\n  "a": 1\n}', 2, 3],
    ['a truncated file', '{\n  "a": 1', 2, 9],
    ['an empty file', '', 1, 1],
    ['text after the value', '{"a": 1} x', 1, 10],
    ['plain text', 'hello', 1, 1],
  ])('places %s', (_what, text, line, column) => {
    expect(placed(text)).toMatchObject({ line, column });
  });

  it("names the file and keeps V8's reason without its position or its quote of the text", () => {
    expect(placed('{\n  "a": [1, 2,]\n}').message).toBe("x.json: not valid JSON at line 2, column 14: Unexpected token ']'");
    expect(placed('{\n  "a": 1,\n}').message).toBe('x.json: not valid JSON at line 3, column 1: Expected double-quoted property name');
  });

  it('finds no error in valid JSON', () => {
    expect(jsonErrorOffset(' {"a": "\\u00e9\\n", "b": [{}, []]} ')).toBeUndefined();
  });
});
