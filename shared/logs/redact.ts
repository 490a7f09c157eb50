// Log forwarding, step 2: redact secrets and personal data from every message before anything leaves.
import type { BuiltinRedaction, LogsPolicy } from './policy';

/** One redaction: a global regular expression and what replaces each match. */
export interface RedactionRule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly replace: string | ((match: string, ...groups: string[]) => string);
  /**
   * Case-insensitive regular expression source that every match contains: messages without it skip
   * the rule. The hints of all rules are tried as one expression, so a clean line costs one scan.
   */
  readonly hint?: string;
}

// Keys whose value is a secret, as `key=value`, `key: value` or JSON `"key": "value"`, with any prefix (`db_password`);
// `secret_key` and `secret_access_key` (`aws_secret_access_key`, STS's `SecretAccessKey`) name the secret half of an AWS key.
// Single quotes count as quotes too: Python writes a dict as `{'password': 'x'}`.
// An unquoted value may start with an authorization scheme (`Authorization: Token <key>`): the credential after it is the secret.
// A match may only start where a key starts (the lookbehind): otherwise every position inside a
// long run of word characters would be retried, which is quadratic on a 200 KB line.
const SECRET_KEY =
  /(?<![\w-])((?:[\w-]*?)(?:password|passwd|pwd|secret|secret[_-]?(?:access[_-]?)?key|api[_-]?key|apikey|token|authorization|client[_-]?secret|private[_-]?key))(["']?\s*[=:]\s*)(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|((?:Bearer|Basic|Digest|Token|Bot|ApiKey|Key|SSWS|Splunk|Negotiate|NTLM)\s+)?([^\s"&,;}]+))/gi;

// The password of `scheme://user:password@host`, as in a connection string (`postgres://app:s3cret@db:5432`).
// It may only start where a scheme starts, for the same reason as SECRET_KEY.
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]+(?=@)/;

/** The built-in rules, applied unless the policy's `redaction.builtins` leaves them out. */
export const BUILTIN_RULES: Record<BuiltinRedaction, RedactionRule> = {
  'aws-access-key': {
    name: 'aws-access-key',
    pattern: /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g,
    replace: '[REDACTED:aws-access-key]',
    hint: 'AKIA|ASIA|AROA|AIDA',
  },
  'bearer-token': {
    name: 'bearer-token',
    pattern: /\b(Bearer)(\s+)[A-Za-z0-9\-._~+/]+=*/gi,
    replace: (_match, scheme, space) => `${scheme}${space}[REDACTED]`,
    hint: 'bearer',
  },
  password: {
    name: 'password',
    // Groups 1-5 are SECRET_KEY's, group 6 URL_PASSWORD's.
    pattern: new RegExp(`${SECRET_KEY.source}|${URL_PASSWORD.source}`, 'gi'),
    // A quoted value is replaced whole, its quotes kept (JSON stays valid); an unquoted one keeps its
    // auth scheme. A JSON key's unquoted value (`"token": 50256`, `null`) becomes a string, so the JSON stays valid.
    replace: (_match, key, separator, quoted, scheme, _value, urlUser) =>
      urlUser !== undefined
        ? `${urlUser}[REDACTED]`
        : `${key}${separator}${quoted !== undefined ? `${quoted[0]}[REDACTED]${quoted[0]}` : scheme === undefined && separator.startsWith('"') ? '"[REDACTED]"' : `${scheme ?? ''}[REDACTED]`}`,
    // A URL's password is followed by `@`: a rarer character to look for than the `:` before it.
    hint: 'pass|pwd|secret|key|token|authorization|@',
  },
  email: {
    name: 'email',
    // Starts only where an address can start, for the same reason as SECRET_KEY. The `@` may be
    // URL-encoded (`?email=jane%40example.com`): whoever reads the URL decodes it.
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    replace: '[REDACTED:email]',
    hint: '@|%40',
  },
};

/** Rules compiled for use: a message that fails `hint` cannot match any rule and is left alone. */
export interface Redactor {
  readonly rules: readonly RedactionRule[];
  /** Undefined when some rule has no hint: then every rule runs on every message. */
  readonly hint?: RegExp;
}

/** Compiles rules, combining their hints into one case-insensitive test. */
export function compileRedactor(rules: readonly RedactionRule[]): Redactor {
  const hinted = rules.every((rule) => rule.hint !== undefined);
  return { rules, hint: hinted && rules.length > 0 ? new RegExp(rules.map((rule) => `(?:${rule.hint})`).join('|'), 'i') : undefined };
}

/** The redactor a policy asks for: the chosen built-ins, then its custom patterns. */
export function redactorFor(policy: LogsPolicy['redaction']): Redactor {
  return compileRedactor([
    ...policy.builtins.map((name) => BUILTIN_RULES[name]),
    ...policy.custom.map((rule) => ({ name: rule.name, pattern: new RegExp(rule.pattern, 'g'), replace: rule.replacement })),
  ]);
}

/**
 * `message` with every rule applied; the very same string when nothing matched, so callers can tell
 * with `!==` whether anything was taken out. Pure: `replace` resets a global regex's lastIndex itself.
 *
 * JSON escapes can hide a secret from the rules (`\"password\":\"x\"` inside a string,
 * `jane\u0040example.com`, `p\u0061ssword`) while whoever reads the forwarded JSON decodes it.
 * So a message holding a backslash is also judged unescaped, level by level (see
 * redactEscapedSecrets); messages without one cost nothing more.
 */
export function redact(message: string, redactor: Redactor): string {
  if (redactor.rules.length === 0) return message;
  const text = applyRules(message, redactor);
  return text.includes('\\') ? redactEscapedSecrets(text, redactor) : text;
}

function applyRules(message: string, redactor: Redactor): string {
  if (redactor.hint && !redactor.hint.test(message)) return message;
  let text = message;
  for (const rule of redactor.rules) {
    text = typeof rule.replace === 'string' ? text.replace(rule.pattern, rule.replace) : text.replace(rule.pattern, rule.replace);
  }
  return text;
}

// JSON's escapes: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t` and `\uXXXX`.
const JSON_ESCAPE = /\\(?:u([0-9A-Fa-f]{4})|(["\\/bfnrt]))/g;
const ESCAPED_CHARACTERS: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
/** JSON nested in a JSON string nested in a JSON string… is unescaped this many levels deep at most. */
const MAX_UNESCAPED_LEVELS = 8;

/** `text` with every JSON escape sequence replaced by the character it stands for, wherever it is. */
export function unescapeJson(text: string): string {
  return text.replace(JSON_ESCAPE, (_match, hex: string | undefined, single: string | undefined) =>
    hex === undefined ? (ESCAPED_CHARACTERS[single ?? ''] ?? '') : String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/**
 * `text` (already redacted) as it is, when none of its unescaped forms (one level of escapes
 * removed, then the next…) has anything the rules take out. Otherwise the secret is hidden by an
 * escape: the message is replaced by its fully unescaped form, redacted, which keeps its words but
 * no longer its JSON structure (it is forwarded as the text it reads as).
 */
export function redactEscapedSecrets(text: string, redactor: Redactor): string {
  let view = text;
  let hidesSecret = false;
  for (let level = 0; level < MAX_UNESCAPED_LEVELS && view.includes('\\'); level++) {
    const unescaped = unescapeJson(view);
    if (unescaped === view) break;
    view = unescaped;
    hidesSecret ||= applyRules(view, redactor) !== view;
  }
  return hidesSecret ? redact(view, redactor) : text;
}
