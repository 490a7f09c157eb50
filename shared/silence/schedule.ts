// Domain: maintenance windows' recurring schedules — five-field cron in a time zone, a duration — and their occurrences. Pure.
import { ConfigError } from '../errors';
import type { WindowOccurrence } from './model';

/** A maintenance window as the schedule maths needs it. */
export interface WindowSchedule {
  /** Five-field cron: minute hour day-of-month month day-of-week (`0 2 * * SAT`). */
  readonly schedule: string;
  /** IANA time zone the schedule's fields are read in (`Europe/London`). */
  readonly timeZone: string;
  readonly durationMs: number;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * How far apart the zone's offset is sampled; a change between two samples is then found to the second.
 * Since 1970 no zone in the tz database has changed its offset twice within six days (the closest,
 * Brazil's in 2000, were a week apart) nor put its clocks back by more than seven hours (Vostok, 1994),
 * so daily samples miss no change, and the one a day before a range sees a repeated hour just before it.
 */
const OFFSET_SAMPLE_MS = DAY_MS;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
/** The longest each month gets (February in a leap year). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** One of the five fields: its name in messages, the values it takes, and what `*` stands for. */
interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** The last value `*` covers: 6 for day-of-week, whose 7 is Sunday again. */
  readonly starMax: number;
  /** Names for `min`, `min + 1`, … (JAN = 1, SUN = 0). */
  readonly names?: readonly string[];
  readonly advice: string;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, starMax: 59, advice: 'write 0-59' },
  { name: 'hour', min: 0, max: 23, starMax: 23, advice: 'write 0-23' },
  { name: 'day-of-month', min: 1, max: 31, starMax: 31, advice: 'write 1-31' },
  { name: 'month', min: 1, max: 12, starMax: 12, names: MONTH_NAMES, advice: 'write 1-12 or JAN-DEC' },
  { name: 'day-of-week', min: 0, max: 7, starMax: 6, names: DAY_NAMES, advice: 'write 0-7 (0 and 7 are Sunday) or SUN-SAT' },
];

const FIELD_ORDER = '(minute hour day-of-month month day-of-week)';
const SYNTAX = '*, numbers, ranges a-b, lists a,b, steps */n and a-b/n';
/** Quartz and EventBridge extensions: `?`, last (`L`, `5L`), nearest weekday (`15W`), nth weekday (`5#2`). */
const EXTENSION = /[?#]|^\d*[LW]$|^LW$|^L-\d+$/i;

/** A schedule read: the minutes, hours, days and months it matches, as sorted lists and lookups. */
interface Cron {
  readonly minutes: readonly number[];
  readonly minutesDescending: readonly number[];
  readonly hours: readonly number[];
  readonly hoursDescending: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 (Sunday) to 6; a 7 in the schedule is stored as 0. */
  readonly weekdays: ReadonlySet<number>;
  /** Both day fields are restricted: a day matches when either does (cron's rule), not only when both do. */
  readonly eitherDay: boolean;
}

/**
 * Why `expression` is not a schedule this module reads, or undefined when it is one. It reads five fields
 * (`minute hour day-of-month month day-of-week`), each `*`, a number, a range `a-b` or a list `a,b`,
 * where `*` and a range may take a step `/n`; months JAN-DEC and days SUN-SAT in any case; day-of-week
 * 0-7, 0 and 7 both Sunday (so a day range may end on Sunday: `SAT-SUN`). When day-of-month and
 * day-of-week are both restricted, a day matches when either matches; a field that starts with `*` (a
 * step over `*` too) does not restrict, as in Vixie cron. Seconds, years, `?`, `L`, `W` and `#` are
 * refused, and so is a day that never comes (`0 0 31 2 *`). The message names the field, for operators
 * reading `npm run policy`: `field "hour" is 25: write 0-23`.
 */
export function scheduleProblem(expression: string): string | undefined {
  const read = readSchedule(expression);
  return typeof read === 'string' ? read : undefined;
}

/**
 * The occurrence of the window that covers `at` (start <= at < end), if any; the latest-starting one
 * when occurrences overlap. A start is an instant whose wall-clock time in `window.timeZone` matches the
 * schedule, and the end is `durationMs` of elapsed time later, whatever the clocks do meanwhile. Across
 * a clock change:
 * - a time the clocks skip (02:30 in New York on 2026-03-08) starts at the first instant after the gap
 *   (03:00 EDT, 07:00Z); the skipped times and 03:00 itself start one occurrence there, not one each;
 * - a time the clocks pass twice (01:30 in New York on 2026-11-01) starts once, at its first passing
 *   (01:30 EDT, 05:30Z);
 * - a 2 h window from 00:30 on a day the clocks go back ends 2 real hours later, at 01:30 the second time.
 *
 * Undefined for an invalid `at` or a duration that is not positive.
 * @throws ConfigError when the schedule or the time zone is not one (the policy schema refuses both).
 */
export function occurrenceAt(window: WindowSchedule, at: Date): WindowOccurrence | undefined {
  const t = at.getTime();
  const duration = window.durationMs;
  if (!Number.isFinite(t) || !(duration > 0) || !Number.isFinite(duration)) return undefined;
  const start = latestStart(cronOf(window.schedule), window.timeZone, t - duration + 1, t + 1);
  return start === undefined ? undefined : occurrenceFrom(start, duration);
}

/**
 * Every occurrence that starts in [from, to), oldest first, by the rules of `occurrenceAt` (a start in a
 * skipped hour moves to the end of the gap; a repeated time starts once, the first time).
 * @throws ConfigError when the schedule or the time zone is not one (the policy schema refuses both).
 */
export function occurrencesStarting(window: WindowSchedule, from: Date, to: Date): WindowOccurrence[] {
  const [a, b] = [from.getTime(), to.getTime()];
  if (!Number.isFinite(a) || !Number.isFinite(b) || a >= b) return [];
  return startsBetween(cronOf(window.schedule), window.timeZone, a, b).map((start) => occurrenceFrom(start, window.durationMs));
}

const occurrenceFrom = (start: number, durationMs: number): WindowOccurrence => ({ start: new Date(start), end: new Date(start + durationMs) });

// ---------------------------------------------------------------------------------------------------
// Reading the expression

const schedulesRead = new Map<string, Cron>();

/** The schedule read once per expression (a policy has a handful). */
function cronOf(expression: string): Cron {
  let cron = schedulesRead.get(expression);
  if (!cron) {
    const read = readSchedule(expression);
    if (typeof read === 'string') throw new ConfigError(`maintenance window schedule "${expression}": ${read}`);
    cron = read;
    schedulesRead.set(expression, cron);
  }
  return cron;
}

/** The schedule, or why it is not one. */
function readSchedule(expression: string): Cron | string {
  const texts = expression.trim().split(/\s+/).filter((text) => text !== '');
  if (texts.length !== FIELDS.length) return `five fields are expected ${FIELD_ORDER}, got ${texts.length === 0 ? 'none' : texts.length}`;
  const fields: ReadonlySet<number>[] = [];
  for (const [i, spec] of FIELDS.entries()) {
    const values = readField(texts[i]!, spec);
    if (typeof values === 'string') return values;
    fields.push(values);
  }
  const [minutes, hours, daysOfMonth, months, weekdays] = fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const [domText, monthText, dowText] = [texts[2]!, texts[3]!, texts[4]!];
  const eitherDay = !domText.startsWith('*') && !dowText.startsWith('*');
  if (!eitherDay && ![...months].some((month) => [...daysOfMonth].some((day) => day <= MONTH_DAYS[month - 1]!))) {
    return `field "day-of-month" is ${domText} and field "month" is ${monthText}: no such day, so the window would never open`;
  }
  const ascending = (values: Set<number>) => [...values].sort((x, y) => x - y);
  return {
    minutes: ascending(minutes),
    minutesDescending: ascending(minutes).reverse(),
    hours: ascending(hours),
    hoursDescending: ascending(hours).reverse(),
    daysOfMonth,
    months,
    weekdays,
    eitherDay,
  };
}

/** The values one field matches (day-of-week's 7 as 0), or why it is not a field. */
function readField(text: string, spec: FieldSpec): Set<number> | string {
  const problem = (why: string) => `field "${spec.name}" is ${text}: ${why}`;
  const whyNot = (token: string, kind: 'out of range' | 'not a value') =>
    kind === 'not a value' ? `${spec.advice} (${SYNTAX})` : token === text ? spec.advice : `${token} is out of range, ${spec.advice}`;
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (EXTENSION.test(item)) return problem(`?, L, W and # are not read; five fields of plain cron are expected ${FIELD_ORDER}`);
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) return problem(`${spec.advice} (${SYNTAX})`);
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : NaN;
    const span = spec.starMax - spec.min + 1;
    if (!(step >= 1 && step <= span)) return problem(`write a step from 1 to ${span}`);

    let low: number;
    let high: number;
    if (range === '*') {
      [low, high] = [spec.min, spec.starMax];
    } else {
      const [lowText = '', highText, beyond] = range.split('-');
      if (beyond !== undefined) return problem(`${spec.advice} (${SYNTAX})`);
      const lowValue = valueOf(lowText, spec);
      if (typeof lowValue === 'string') return problem(whyNot(lowText, lowValue));
      const highValue = highText === undefined ? lowValue : valueOf(highText, spec);
      if (typeof highValue === 'string') return problem(whyNot(highText ?? lowText, highValue));
      if (highText === undefined && stepText !== undefined) return problem(`a step follows * or a range, so write ${lowText}-${spec.starMax}/${stepText}`);
      [low, high] = [lowValue, highValue];
      // Sunday is 0 and 7, so a day range may start on 7 (7-TUE) and end on 0 (SAT-SUN).
      if (spec.name === 'day-of-week' && low === 7 && high < 7) low = 0;
      if (spec.name === 'day-of-week' && high === 0 && low > 0) high = 7;
      if (high < low) return problem(`a range runs from low to high, so write ${low}-${spec.starMax},${spec.min === high ? spec.min : `${spec.min}-${high}`}`);
    }
    for (let value = low; value <= high; value += step) values.add(spec.name === 'day-of-week' ? value % 7 : value);
  }
  return values;
}

/** The value a token stands for (`7`, `jul` → 7, `SUN` → 0), or why it stands for none. */
function valueOf(token: string, spec: FieldSpec): number | 'out of range' | 'not a value' {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    return value >= spec.min && value <= spec.max ? value : 'out of range';
  }
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  return index < 0 ? 'not a value' : index + spec.min;
}

// ---------------------------------------------------------------------------------------------------
// Wall-clock times that match: a wall-clock time is written as the milliseconds of that date and time in UTC.

function dayMatches(cron: Cron, dayStart: number): boolean {
  const date = new Date(dayStart);
  if (!cron.months.has(date.getUTCMonth() + 1)) return false;
  const byDate = cron.daysOfMonth.has(date.getUTCDate());
  const byWeekday = cron.weekdays.has(date.getUTCDay());
  return cron.eitherDay ? byDate || byWeekday : byDate && byWeekday;
}

/** The earliest matching wall-clock time in [low, high). */
function firstMatchIn(cron: Cron, low: number, high: number): number | undefined {
  for (let day = Math.floor(low / DAY_MS) * DAY_MS; day < high; day += DAY_MS) {
    if (!dayMatches(cron, day)) continue;
    for (const hour of cron.hours) {
      const hourStart = day + hour * HOUR_MS;
      if (hourStart + HOUR_MS <= low) continue;
      for (const minute of cron.minutes) {
        const wall = hourStart + minute * MINUTE_MS;
        if (wall < low) continue;
        return wall < high ? wall : undefined;
      }
    }
  }
  return undefined;
}

/** The latest matching wall-clock time in [low, high). */
function lastMatchIn(cron: Cron, low: number, high: number): number | undefined {
  for (let day = Math.floor((high - 1) / DAY_MS) * DAY_MS; day + DAY_MS > low; day -= DAY_MS) {
    if (!dayMatches(cron, day)) continue;
    for (const hour of cron.hoursDescending) {
      const hourStart = day + hour * HOUR_MS;
      if (hourStart >= high) continue;
      for (const minute of cron.minutesDescending) {
        const wall = hourStart + minute * MINUTE_MS;
        if (wall >= high) continue;
        return wall >= low ? wall : undefined;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// The zone: its offset from UTC, and the stretches of time over which the offset holds.

const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClockIn(timeZone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new ConfigError(`maintenance window time zone "${timeZone}" is not an IANA time zone`, { cause: error });
    }
    wallClocks.set(timeZone, format);
  }
  return format;
}

/** How far the zone's clocks are ahead of UTC at `t`, in milliseconds (New York in winter: -5 h). */
function offsetAt(timeZone: string, t: number): number {
  const field = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of wallClockIn(timeZone).formatToParts(t)) {
    if (part.type in field) field[part.type as keyof typeof field] = Number(part.value);
  }
  const wall = Date.UTC(field.year, field.month - 1, field.day, field.hour, field.minute, field.second);
  return wall - Math.floor(t / SECOND_MS) * SECOND_MS;
}

/** Time over which the zone's offset holds: instants [start, end), and the offset in force just before. */
interface Stretch {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  readonly offsetBefore: number;
}

/**
 * The stretches of constant offset that cover [from, to), the first starting at least one sample before
 * `from`, so that a repeated hour just before `from` is known.
 */
function offsetStretches(timeZone: string, from: number, to: number): Stretch[] {
  const stretches: Stretch[] = [];
  let start = from - OFFSET_SAMPLE_MS;
  let offset = offsetAt(timeZone, start);
  let offsetBefore = offset;
  for (let sample = start; sample < to - 1; ) {
    const next = Math.min(sample + OFFSET_SAMPLE_MS, to - 1);
    const nextOffset = offsetAt(timeZone, next);
    if (nextOffset !== offset) {
      const change = offsetChange(timeZone, sample, offset, next);
      stretches.push({ start, end: change, offset, offsetBefore });
      [start, offsetBefore, offset] = [change, offset, nextOffset];
    }
    sample = next;
  }
  stretches.push({ start, end: to, offset, offsetBefore });
  return stretches;
}

/** The instant in (`before`, `after`] the offset changes from `offsetBefore`, to the second (zones change on whole seconds). */
function offsetChange(timeZone: string, before: number, offsetBefore: number, after: number): number {
  let [low, high] = [Math.floor(before / SECOND_MS), Math.floor(after / SECOND_MS)];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(timeZone, middle * SECOND_MS) === offsetBefore) low = middle;
    else high = middle;
  }
  return high * SECOND_MS;
}

// ---------------------------------------------------------------------------------------------------
// Starts: the wall-clock times that match, as instants.
//
// Within a stretch a wall-clock time w is the instant w - offset. A stretch owns the wall-clock times
// from its start read with the offset before it (the end of the previous stretch's times) to its end
// read with its own: after a gap those begin with the skipped times, which all map to the stretch's
// start (max below); after the clocks go back they begin after the repeated ones, which belong to the
// previous stretch. So every wall-clock time has one instant, and later times never have earlier ones.

/** The wall-clock times [low, high) whose instants fall in [from, to), for one stretch. */
function wallTimesOf(stretch: Stretch, from: number, to: number): readonly [number, number] {
  const owned = stretch.start + stretch.offsetBefore;
  const low = stretch.start >= from ? owned : Math.max(owned, from + stretch.offset);
  return [low, Math.min(stretch.end, to) + stretch.offset];
}

const instantOf = (stretch: Stretch, wall: number): number => Math.max(wall - stretch.offset, stretch.start);

/** Every start in [from, to), oldest first. */
function startsBetween(cron: Cron, timeZone: string, from: number, to: number): number[] {
  const starts: number[] = [];
  for (const stretch of offsetStretches(timeZone, from, to)) {
    if (stretch.end <= from) continue;
    const [low, high] = wallTimesOf(stretch, from, to);
    for (let wall = firstMatchIn(cron, low, high); wall !== undefined; wall = firstMatchIn(cron, wall + MINUTE_MS, high)) {
      const start = instantOf(stretch, wall);
      // The skipped times before a gap's end all start there: one occurrence.
      if (start > (starts.at(-1) ?? -Infinity)) starts.push(start);
    }
  }
  return starts;
}

/** The latest start in [from, to). */
function latestStart(cron: Cron, timeZone: string, from: number, to: number): number | undefined {
  const stretches = offsetStretches(timeZone, from, to);
  for (let i = stretches.length - 1; i >= 0; i -= 1) {
    const stretch = stretches[i]!;
    if (stretch.end <= from) break;
    const [low, high] = wallTimesOf(stretch, from, to);
    const wall = lastMatchIn(cron, low, high);
    if (wall !== undefined) return instantOf(stretch, wall);
  }
  return undefined;
}
