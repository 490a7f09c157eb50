// Log forwarding, step 3: understand one message (JSON, Lambda text, the API's and training formats, stack traces, text).
import type { LogFormat, LogLevel, ParsedLog } from './model';

const LEVEL_WORDS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  information: 'INFO',
  notice: 'INFO',
  warn: 'WARN',
  warning: 'WARN',
  error: 'ERROR',
  err: 'ERROR',
  critical: 'FATAL',
  crit: 'FATAL',
  fatal: 'FATAL',
  panic: 'FATAL',
  emergency: 'FATAL',
  alert: 'FATAL',
};

// The spellings most loggers use, looked up as they are: lower-casing every level allocates a string per event.
const LEVEL_AS_WRITTEN = new Map<string, LogLevel>(Object.entries(LEVEL_WORDS).flatMap(([word, level]) => [[word, level], [word.toUpperCase(), level]]));
// Any other spelling, lower-cased. A Map, not the object: a logged level such as `constructor` or
// `__proto__` would find Object.prototype's members there and become a function or an object.
const LEVEL_BY_WORD = new Map<string, LogLevel>(Object.entries(LEVEL_WORDS));

/** Normalises a level as loggers write it (`warning`, `ERR`, pino's numbers) or returns undefined. */
export function normaliseLevel(value: unknown): LogLevel | undefined {
  if (typeof value === 'string') return LEVEL_AS_WRITTEN.get(value) ?? LEVEL_BY_WORD.get(value.toLowerCase());
  if (typeof value === 'number') {
    // pino / bunyan numeric levels
    if (value >= 60) return 'FATAL';
    if (value >= 50) return 'ERROR';
    if (value >= 40) return 'WARN';
    if (value >= 30) return 'INFO';
    if (value >= 20) return 'DEBUG';
    return 'TRACE';
  }
  return undefined;
}

/** Guesses a level from the words of free text: "Traceback", "failed" and "exception" read as errors. */
export function guessLevel(text: string): LogLevel {
  if (/\b(fatal|panic|critical|emerg(ency)?)\b/i.test(text)) return 'FATAL';
  if (/\b(error|exception|failed|failure|traceback|err|refused|denied|crash(ed)?|unhandled|timed out)\b/i.test(text)) return 'ERROR';
  if (/\bwarn(ing)?\b/i.test(text)) return 'WARN';
  if (/\b(debug|trace)\b/i.test(text)) return 'DEBUG';
  return 'INFO';
}

const LEVEL_KEYS = ['level', 'severity', 'levelname', 'lvl', 'log.level'] as const;
const MESSAGE_KEYS = ['message', 'msg'] as const;

// `2024-05-01T12:00:00.123Z\t<requestId>\tERROR\t<rest>`: console output of the Node.js and Python runtimes.
const LAMBDA_TEXT = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t(\S+)\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t/;
const LAMBDA_PLATFORM = /^(START|END|REPORT) RequestId: ([\w-]+)/;
const LAMBDA_REPORT_FIELD = /\t(Duration|Billed Duration|Init Duration|Memory Size|Max Memory Used): ([\d.]+)/g;
// `2024-05-01 12:00:00,123 [INFO] text` or `2024-05-01T12:00:00Z INFO text`: the reference API's logging.
const TIMESTAMPED_LEVEL =
  /^(\d{4}-\d\d-\d\d[T ][\d:.,]+(?:Z|[+-]\d\d:?\d\d)?)\s+(?:-\s+)?\[?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\]?:?\s+/i;
const TRAINING = /^epoch\s+(\d+)\b/i;
// Metric names are short; the bound keeps a long line without `:` from being scanned from every word.
const TRAINING_METRIC = /(?<![a-z0-9_-])([a-z][a-z0-9 _-]{0,40}?)\s*[:=]\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)/gi;
// A key starts only after a non-key character, so a long run without `=` is scanned once, not from each position.
const KEY_VALUE = /(?<![\w.-])([A-Za-z_][\w.-]*)=("[^"]*"|[^\s,;]+)/g;
const LABELLED_JSON = /^([^{\n]{1,200}?)(?::\s*|\s*\t)\{/;
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)(ms|s|%)?$/;

/**
 * Parses one log message into a level, a message and fields. Never throws: a message that parses as
 * nothing in particular comes back as `text` with its level guessed from its words, so one odd line
 * never costs its batch anything.
 */
export function parseLogMessage(raw: string): ParsedLog {
  const message = raw.endsWith('\n') ? raw.trimEnd() : raw;
  if (message.charCodeAt(0) === 123 /* { */) {
    const parsed = parseJsonLine(message, undefined, 'json', undefined);
    if (parsed) return parsed;
  }
  const lambda = LAMBDA_TEXT.exec(message);
  if (lambda) return parseBody(message.slice(lambda[0].length), normaliseLevel(lambda[3]), 'lambda', { requestId: lambda[2] });
  const platform = LAMBDA_PLATFORM.exec(message);
  if (platform) return parseLambdaPlatform(message, platform[1] ?? '', platform[2] ?? '');
  const timestamped = TIMESTAMPED_LEVEL.exec(message);
  if (timestamped) {
    return parseBody(message.slice(timestamped[0].length), normaliseLevel(timestamped[2]), 'api', { loggedAt: timestamped[1] });
  }
  return parseBody(message, undefined, 'text', {});
}

/**
 * JSON objects: level and message from their usual keys; the object itself, as logged, is the fields
 * (so nothing is lost or renamed). When nothing was added to it, its text is kept as `fieldsJson`
 * and forwarded without serialising it again.
 */
function parseJsonLine(text: string, level: LogLevel | undefined, format: LogFormat, extra?: Record<string, unknown>): ParsedLog | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  // Container log shippers (Fluent Bit, Docker) wrap the application's line in `log`.
  if (typeof object.log === 'string' && object.message === undefined && object.msg === undefined) {
    const { log, ...rest } = object;
    const inner = parseLogMessage(log);
    const fields = { ...extra, ...rest, ...inner.fields };
    const fieldsJson = serialised(fields);
    if (fieldsJson === undefined) return undefined;
    return { level: inner.level, message: inner.message, format: inner.format, fields, fieldsJson };
  }
  let foundLevel = level;
  for (const key of LEVEL_KEYS) {
    if (object[key] !== undefined) {
      foundLevel = normaliseLevel(object[key]) ?? foundLevel;
      break;
    }
  }
  let message: string | undefined;
  for (const key of MESSAGE_KEYS) {
    const candidate = object[key];
    if (typeof candidate === 'string') {
      message = candidate;
      break;
    }
  }
  const verbatim = extra === undefined;
  const fields = verbatim ? object : { ...extra, ...object };
  // A pretty-printed object has raw line breaks, which would break NDJSON framing: that one is re-serialised.
  const fieldsJson = verbatim && !text.includes('\n') && !text.includes('\r') ? text : serialised(fields);
  if (fieldsJson === undefined) return undefined;
  return { level: foundLevel ?? levelOfJson(object, message), message: message ?? text, fields, format, fieldsJson };
}

/**
 * `fields` as JSON text, written now rather than when the record is forwarded: JSON nested deeper
 * than JSON.stringify can recurse (a few thousand levels, which JSON.parse reads) cannot be written
 * again, and such a message is then read as text instead of failing its batch.
 */
function serialised(fields: Record<string, unknown>): string | undefined {
  try {
    return JSON.stringify(fields);
  } catch {
    return undefined;
  }
}

// Without a level key, an error object says ERROR; otherwise only the message's words are judged, never the keys.
function levelOfJson(fields: Record<string, unknown>, message: string | undefined): LogLevel {
  if (fields.error || fields.err || fields.exception) return 'ERROR';
  return message === undefined ? 'INFO' : guessLevel(message);
}

/** The part after a prefix: JSON, a stack trace, `label: {json}`, training metrics, key=value pairs, or text. */
function parseBody(body: string, level: LogLevel | undefined, format: LogFormat, extra: Record<string, unknown>): ParsedLog {
  if (body.charCodeAt(0) === 123 /* { */) {
    const json = parseJsonLine(body, level, format, extra);
    if (json) return json;
  }
  if (body.includes('\n') && isStackTrace(body)) return parseStackTrace(body, level, extra);
  const training = TRAINING.exec(body);
  if (training) return parseTraining(body, Number(training[1]), level, extra);
  // `API Request: {...}` or Lambda's `Invoke Error \t{...}`: a label, then a JSON object.
  const labelled = LABELLED_JSON.exec(body);
  if (labelled) {
    const jsonText = body.slice(labelled[0].length - 1);
    const json = parseJsonLine(jsonText, level, format, extra);
    if (json) {
      // The label is the message; a `message` inside the JSON stays among the fields.
      return { level: level ?? json.level, message: labelled[1] ?? '', fields: json.fields, format, fieldsJson: json.fieldsJson };
    }
  }
  const pairs = keyValues(body);
  const hasPairs = Object.keys(pairs).length > 0;
  const fields = hasPairs ? { ...extra, ...pairs } : { ...extra };
  // `Inference completed: latency=48.21ms, prediction=High`: the label is the message only when
  // everything after it became fields; otherwise the whole text stays the message.
  const colon = body.indexOf(': ');
  const message = colon > 0 && hasPairs && onlyKeyValues(body.slice(colon + 2)) ? body.slice(0, colon) : body;
  return { level: level ?? guessLevel(body), message, fields, format };
}

const isStackTrace = (text: string): boolean =>
  /\n\s+at \S/.test(text) || text.startsWith('Traceback (most recent call last):') || /\n\s+File "/.test(text);

/** Multi-line traces: the error line is the message (the last line for Python), the trace a field. */
function parseStackTrace(text: string, level: LogLevel | undefined, extra: Record<string, unknown>): ParsedLog {
  const lines = text.split('\n');
  const python = text.startsWith('Traceback');
  const errorLine = (python ? lines.filter((l) => l.trim() !== '').at(-1) : lines[0])?.trim() ?? text;
  const errorType = /^([\w.$]+(?:Error|Exception|Exit|Interrupt|Warning))\b/.exec(errorLine)?.[1];
  const fields: Record<string, unknown> = { ...extra, stack: text };
  if (errorType) fields.errorType = errorType;
  return { level: level ?? 'ERROR', message: errorLine, fields, format: 'stacktrace' };
}

/** `epoch 3 loss: 0.42, accuracy: 0.88, validation accuracy: 0.86, f1 score: 0.84`. */
function parseTraining(text: string, epoch: number, level: LogLevel | undefined, extra: Record<string, unknown>): ParsedLog {
  const fields: Record<string, unknown> = { ...extra, epoch };
  const rest = text.replace(TRAINING, '');
  for (const match of rest.matchAll(TRAINING_METRIC)) {
    const name = camelCase(match[1] ?? '');
    if (name) fields[name] = Number(match[2]);
  }
  return { level: level ?? guessLevel(text), message: text, fields, format: 'training' };
}

function parseLambdaPlatform(text: string, kind: string, requestId: string): ParsedLog {
  const fields: Record<string, unknown> = { requestId, platform: kind };
  for (const match of text.matchAll(LAMBDA_REPORT_FIELD)) fields[camelCase(match[1] ?? '')] = Number(match[2]);
  return { level: /\bStatus: (error|timeout)/.test(text) ? 'ERROR' : 'INFO', message: text, fields, format: 'lambda' };
}

/** True when nothing but separators is left once the key=value pairs are taken out. */
const onlyKeyValues = (text: string): boolean => /^[\s,;]*$/.test(text.replace(KEY_VALUE, ''));

/** `latency=48.21ms, prediction=High` becomes `{ latencyMs: 48.21, prediction: 'High' }`. */
function keyValues(text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!text.includes('=')) return fields;
  for (const match of text.matchAll(KEY_VALUE)) {
    const key = match[1] ?? '';
    const raw = match[2] ?? '';
    const number = NUMBER_WITH_UNIT.exec(raw);
    if (number) {
      const unit = number[2] === 'ms' ? 'Ms' : number[2] === 's' ? 'Seconds' : number[2] === '%' ? 'Percent' : '';
      setField(fields, `${key}${unit}`, Number(number[1]));
    } else {
      setField(fields, key, raw.startsWith('"') ? raw.slice(1, -1) : raw);
    }
  }
  return fields;
}

// Assigning `__proto__` would set the object's prototype (or do nothing) instead of keeping the pair.
function setField(fields: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  else fields[key] = value;
}

const camelCase = (words: string): string =>
  words
    .trim()
    .toLowerCase()
    .split(/[\s_-]+/)
    .map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('');
