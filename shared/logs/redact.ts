// Log forwarding, step 2: redact secrets and personal data from every message before anything leaves.
import type { BuiltinRedaction, LogsPolicy } from './policy';

/** One redaction: a global regular expression and what replaces each match. */
export interface RedactionRule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly replace: string | ((match: string, ...groups: string[]) => string);
  /** Cheap test a message must pass before the regular expression runs (most lines hold no secret). */
  readonly mayMatch?: (message: string) => boolean;
}

// Keys whose value is a secret, as `key=value`, `key: value` or JSON `"key": "value"`, with any prefix (`db_password`).
const SECRET_KEY =
  /((?:[\w-]*?)(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key))("?\s*[=:]\s*)("(?:[^"\\]|\\.)*"|[^\s"&,;}]+)/gi;

const lowerIncludesAny = (words: readonly string[]) => (message: string) => {
  const lower = message.toLowerCase();
  return words.some((word) => lower.includes(word));
};

/** The built-in rules, applied unless the policy's `redaction.builtins` leaves them out. */
export const BUILTIN_RULES: Record<BuiltinRedaction, RedactionRule> = {
  'aws-access-key': {
    name: 'aws-access-key',
    pattern: /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g,
    replace: '[REDACTED:aws-access-key]',
    mayMatch: (m) => m.includes('AKIA') || m.includes('ASIA') || m.includes('AROA') || m.includes('AIDA'),
  },
  'bearer-token': {
    name: 'bearer-token',
    pattern: /\b(Bearer)(\s+)[A-Za-z0-9\-._~+/]+=*/gi,
    replace: (_match, scheme, space) => `${scheme}${space}[REDACTED]`,
    mayMatch: lowerIncludesAny(['bearer']),
  },
  password: {
    name: 'password',
    pattern: SECRET_KEY,
    replace: (_match, key, separator, value) => `${key}${separator}${value.startsWith('"') ? '"[REDACTED]"' : '[REDACTED]'}`,
    mayMatch: lowerIncludesAny(['pass', 'pwd', 'secret', 'key', 'token']),
  },
  email: {
    name: 'email',
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    replace: '[REDACTED:email]',
    mayMatch: (m) => m.includes('@'),
  },
};

/** The rules a policy asks for: the chosen built-ins, then its custom patterns. */
export function redactionRules(policy: LogsPolicy['redaction']): RedactionRule[] {
  return [
    ...policy.builtins.map((name) => BUILTIN_RULES[name]),
    ...policy.custom.map((rule) => ({ name: rule.name, pattern: new RegExp(rule.pattern, 'g'), replace: rule.replacement })),
  ];
}

/** A message after redaction, and whether anything was taken out. */
export interface Redacted {
  readonly text: string;
  readonly redacted: boolean;
}

/** Applies every rule to `message`. Pure; the rules' regular expressions are global and stateless under `replace`. */
export function redact(message: string, rules: readonly RedactionRule[]): Redacted {
  let text = message;
  for (const rule of rules) {
    if (rule.mayMatch && !rule.mayMatch(text)) continue;
    // replace() with a global regex resets lastIndex itself, so a shared rule is safe to reuse.
    text = typeof rule.replace === 'string' ? text.replace(rule.pattern, rule.replace) : text.replace(rule.pattern, rule.replace);
  }
  return { text, redacted: text !== message };
}
