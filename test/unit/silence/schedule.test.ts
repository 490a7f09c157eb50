// Unit tests: maintenance windows' schedules — which five-field crons are read, and when their occurrences start and end in a time zone, across clock changes too.
import { ConfigError } from '../../../shared/errors';
import type { WindowOccurrence } from '../../../shared/silence/model';
import { occurrenceAt, occurrencesStarting, scheduleProblem, type WindowSchedule } from '../../../shared/silence/schedule';

const HOUR_MS = 3_600_000;

/** A window of `hours` on `schedule` in `timeZone`. */
const window = (schedule: string, timeZone: string, hours: number): WindowSchedule => ({ schedule, timeZone, durationMs: hours * HOUR_MS });

/** An occurrence as ISO strings, so expectations read as the instants they are. */
const iso = (occurrence: WindowOccurrence | undefined) => occurrence && { start: occurrence.start.toISOString(), end: occurrence.end.toISOString() };

const at = (instant: string) => new Date(instant);

/** Every start in [from, to), as ISO strings. */
const startsOf = (w: WindowSchedule, from: string, to: string) => occurrencesStarting(w, at(from), at(to)).map((o) => o.start.toISOString());

describe('scheduleProblem: what is read', () => {
  it.each([
    ['a weekly window', '0 2 * * SAT'],
    ['every field a star', '* * * * *'],
    ['numbers in every field', '30 4 15 6 3'],
    ['ranges', '0 9-17 * * 1-5'],
    ['lists', '0,30 8,12,18 1,15 * *'],
    ['steps over a star', '*/15 */2 */10 */3 */2'],
    ['steps over a range', '0-30/10 8-18/2 * * *'],
    ['month names in any case, in lists and ranges', '0 0 1 jan,Jul,DEC *'],
    ['a range of month names', '0 0 1 MAR-sep *'],
    ['day names in any case', '0 0 * * mon,Wed,FRI'],
    ['a range of day names with a step', '0 0 * * MON-FRI/2'],
    ['Sunday as 0', '0 0 * * 0'],
    ['Sunday as 7', '0 0 * * 7'],
    ['day-of-week 0-7', '0 0 * * 0-7'],
    ['a day range ending on Sunday', '0 0 * * SAT-SUN'],
    ['a day range starting on 7', '0 0 * * 7-TUE'],
    ['both day fields restricted', '0 12 13 * FRI'],
    ['29 February, which comes in leap years', '0 0 29 2 *'],
    ['leading zeros', '05 09 01 01 *'],
    ['extra spaces and tabs', '  0   2\t*  *   SAT  '],
  ])('reads %s: %j', (_what, expression) => {
    // Act
    const problem = scheduleProblem(expression);

    // Assess
    expect(problem).toBeUndefined();
  });
});

describe('scheduleProblem: what is refused, and the message an operator reads', () => {
  const fiveFields = 'five fields are expected (minute hour day-of-month month day-of-week)';
  const plainCron = '?, L, W and # are not read; five fields of plain cron are expected (minute hour day-of-month month day-of-week)';
  const syntax = '(*, numbers, ranges a-b, lists a,b, steps */n and a-b/n)';

  it.each([
    ['', `${fiveFields}, got none`],
    ['   ', `${fiveFields}, got none`],
    ['0 2 * *', `${fiveFields}, got 4`],
    ['0 0 2 * * SAT', `${fiveFields}, got 6`],
    ['0 2 ? * SAT *', `${fiveFields}, got 6`],
    ['cron(0 2 ? * SAT *)', `${fiveFields}, got 6`],
    ['0 2 ? * SAT', `field "day-of-month" is ?: ${plainCron}`],
    ['0 2 * * ?', `field "day-of-week" is ?: ${plainCron}`],
    ['0 2 L * *', `field "day-of-month" is L: ${plainCron}`],
    ['0 2 LW * *', `field "day-of-month" is LW: ${plainCron}`],
    ['0 2 L-3 * *', `field "day-of-month" is L-3: ${plainCron}`],
    ['0 2 15W * *', `field "day-of-month" is 15W: ${plainCron}`],
    ['0 2 * * 5L', `field "day-of-week" is 5L: ${plainCron}`],
    ['0 2 * * 6#3', `field "day-of-week" is 6#3: ${plainCron}`],
    ['0 2 * * MON,5#2', `field "day-of-week" is MON,5#2: ${plainCron}`],
  ])('refuses %j as not five plain fields', (expression, message) => {
    // Act
    const problem = scheduleProblem(expression);

    // Assess
    expect(problem).toBe(message);
  });

  it.each([
    ['60 * * * *', 'field "minute" is 60: write 0-59'],
    ['0 25 * * *', 'field "hour" is 25: write 0-23'],
    ['0 9,25 * * *', 'field "hour" is 9,25: 25 is out of range, write 0-23'],
    ['0 8-24 * * *', 'field "hour" is 8-24: 24 is out of range, write 0-23'],
    ['0 0 0 * *', 'field "day-of-month" is 0: write 1-31'],
    ['0 0 32 * *', 'field "day-of-month" is 32: write 1-31'],
    ['0 0 1 13 *', 'field "month" is 13: write 1-12 or JAN-DEC'],
    ['0 0 1 0 *', 'field "month" is 0: write 1-12 or JAN-DEC'],
    ['0 0 * * 8', 'field "day-of-week" is 8: write 0-7 (0 and 7 are Sunday) or SUN-SAT'],
  ])('refuses %j: a value out of range', (expression, message) => {
    // Act
    const problem = scheduleProblem(expression);

    // Assess
    expect(problem).toBe(message);
  });

  it.each([
    ['x * * * *', `field "minute" is x: write 0-59 ${syntax}`],
    ['1,,2 * * * *', `field "minute" is 1,,2: write 0-59 ${syntax}`],
    ['0 8- * * *', `field "hour" is 8-: write 0-23 ${syntax}`],
    ['0 1-2-3 * * *', `field "hour" is 1-2-3: write 0-23 ${syntax}`],
    ['0 */2/3 * * *', `field "hour" is */2/3: write 0-23 ${syntax}`],
    ['0 -5 * * *', `field "hour" is -5: write 0-23 ${syntax}`],
    ['0 1.5 * * *', `field "hour" is 1.5: write 0-23 ${syntax}`],
    ['0 0 1 FOO *', `field "month" is FOO: write 1-12 or JAN-DEC ${syntax}`],
    ['0 0 1 JANUARY *', `field "month" is JANUARY: write 1-12 or JAN-DEC ${syntax}`],
    ['0 0 * * MONDAY', `field "day-of-week" is MONDAY: write 0-7 (0 and 7 are Sunday) or SUN-SAT ${syntax}`],
    ['0 0 * MON *', `field "month" is MON: write 1-12 or JAN-DEC ${syntax}`],
    ['0 0 * * JAN', `field "day-of-week" is JAN: write 0-7 (0 and 7 are Sunday) or SUN-SAT ${syntax}`],
    ['MON * * * *', `field "minute" is MON: write 0-59 ${syntax}`],
  ])('refuses %j: not cron syntax, or a name the field does not take', (expression, message) => {
    // Act
    const problem = scheduleProblem(expression);

    // Assess
    expect(problem).toBe(message);
  });

  it.each([
    ['*/0 * * * *', 'field "minute" is */0: write a step from 1 to 60'],
    ['*/90 * * * *', 'field "minute" is */90: write a step from 1 to 60'],
    ['0 */25 * * *', 'field "hour" is */25: write a step from 1 to 24'],
    ['0 0 * * */8', 'field "day-of-week" is */8: write a step from 1 to 7'],
    ['*/x * * * *', 'field "minute" is */x: write a step from 1 to 60'],
    ['*/ * * * *', 'field "minute" is */: write a step from 1 to 60'],
    ['5/15 * * * *', 'field "minute" is 5/15: a step follows * or a range, so write 5-59/15'],
    ['0 0 * * MON/2', 'field "day-of-week" is MON/2: a step follows * or a range, so write MON-6/2'],
  ])('refuses %j: a step that is not one', (expression, message) => {
    // Act
    const problem = scheduleProblem(expression);

    // Assess
    expect(problem).toBe(message);
  });

  it.each([
    ['0 22-2 * * *', 'field "hour" is 22-2: a range runs from low to high, so write 22-23,0-2'],
    ['0 22-0 * * *', 'field "hour" is 22-0: a range runs from low to high, so write 22-23,0'],
    ['50-10 * * * *', 'field "minute" is 50-10: a range runs from low to high, so write 50-59,0-10'],
    ['0 0 * NOV-FEB *', 'field "month" is NOV-FEB: a range runs from low to high, so write 11-12,1-2'],
    ['0 0 * * FRI-MON', 'field "day-of-week" is FRI-MON: a range runs from low to high, so write 5-6,0-1'],
  ])('refuses %j: a range that runs backwards', (expression, message) => {
    // Act
    const problem = scheduleProblem(expression);

    // Assess
    expect(problem).toBe(message);
  });

  it.each([
    ['0 0 31 2 *', 'field "day-of-month" is 31 and field "month" is 2: no such day, so the window would never open'],
    ['0 0 30,31 FEB *', 'field "day-of-month" is 30,31 and field "month" is FEB: no such day, so the window would never open'],
    ['0 0 31 4,6,9,11 *', 'field "day-of-month" is 31 and field "month" is 4,6,9,11: no such day, so the window would never open'],
    ['0 0 31 APR */2', 'field "day-of-month" is 31 and field "month" is APR: no such day, so the window would never open'],
  ])('refuses %j: a day that never comes', (expression, message) => {
    // Act
    const problem = scheduleProblem(expression);

    // Assess
    expect(problem).toBe(message);
  });

  it('reads 31 February when a weekday is named too: either day matches, so Mondays in February open it', () => {
    // Act
    const problem = scheduleProblem('0 0 31 2 MON');

    // Assess
    expect(problem).toBeUndefined();
  });
});

describe('occurrenceAt: matching in a zone', () => {
  it('opens at the matching minute in UTC and closes after the duration, end excluded', () => {
    // Prepare
    const nightly = window('0 2 * * *', 'UTC', 1);
    const expected = { start: '2026-06-10T02:00:00.000Z', end: '2026-06-10T03:00:00.000Z' };

    // Act
    const [atStart, inside, atEnd, before] = ['2026-06-10T02:00:00Z', '2026-06-10T02:59:59.999Z', '2026-06-10T03:00:00Z', '2026-06-10T01:59:59.999Z'].map((t) =>
      iso(occurrenceAt(nightly, at(t))),
    );

    // Assess
    expect(atStart).toEqual(expected);
    expect(inside).toEqual(expected);
    expect(atEnd).toBeUndefined();
    expect(before).toBeUndefined();
  });

  it('reads the fields on the wall clock of a zone without daylight saving (Tokyo, UTC+9): weekday mornings', () => {
    // Prepare
    const mornings = window('0 9 * * MON-FRI', 'Asia/Tokyo', 8);

    // Act
    const wednesday = iso(occurrenceAt(mornings, at('2026-06-10T00:30:00Z')));
    const saturday = iso(occurrenceAt(mornings, at('2026-06-13T00:30:00Z')));

    // Assess
    expect(wednesday).toEqual({ start: '2026-06-10T00:00:00.000Z', end: '2026-06-10T08:00:00.000Z' });
    expect(saturday).toBeUndefined();
  });

  it('reads the fields in a zone half an hour off the hour (Kolkata, UTC+5:30)', () => {
    // Prepare
    const evenings = window('0 22 * * *', 'Asia/Kolkata', 2);

    // Act
    const occurrence = iso(occurrenceAt(evenings, at('2026-06-10T17:00:00Z')));

    // Assess
    expect(occurrence).toEqual({ start: '2026-06-10T16:30:00.000Z', end: '2026-06-10T18:30:00.000Z' });
  });

  it('gives the latest start when occurrences overlap', () => {
    // Prepare
    const hourlyForThree = window('0 * * * *', 'UTC', 3);

    // Act
    const occurrence = iso(occurrenceAt(hourlyForThree, at('2026-06-10T05:20:00Z')));

    // Assess
    expect(occurrence).toEqual({ start: '2026-06-10T05:00:00.000Z', end: '2026-06-10T08:00:00.000Z' });
  });

  it('finds a week-long occurrence that started six days earlier', () => {
    // Prepare
    const week = window('0 0 * * MON', 'UTC', 7 * 24);

    // Act
    const lastMinute = iso(occurrenceAt(week, at('2026-06-14T23:59:00Z')));
    const nextMonday = iso(occurrenceAt(week, at('2026-06-15T00:00:00Z')));

    // Assess
    expect(lastMinute).toEqual({ start: '2026-06-08T00:00:00.000Z', end: '2026-06-15T00:00:00.000Z' });
    expect(nextMonday).toEqual({ start: '2026-06-15T00:00:00.000Z', end: '2026-06-22T00:00:00.000Z' });
  });

  it('spans midnight and the end of the month: 22:00 in Berlin (UTC+2 in summer) on 30 April for 5 h', () => {
    // Prepare
    const late = window('0 22 * * *', 'Europe/Berlin', 5);

    // Act
    const occurrence = iso(occurrenceAt(late, at('2026-05-01T00:30:00Z')));

    // Assess
    expect(occurrence).toEqual({ start: '2026-04-30T20:00:00.000Z', end: '2026-05-01T01:00:00.000Z' });
  });

  it('spans the end of the year: 22:30 in New York (UTC-5) on 31 December, which is already 1 January in UTC', () => {
    // Prepare
    const newYear = window('30 22 31 12 *', 'America/New_York', 4);

    // Act
    const occurrence = iso(occurrenceAt(newYear, at('2027-01-01T05:00:00Z')));

    // Assess
    expect(occurrence).toEqual({ start: '2027-01-01T03:30:00.000Z', end: '2027-01-01T07:30:00.000Z' });
  });

  it('is closed for an invalid instant or a duration that is not positive', () => {
    // Prepare
    const instant = window('* * * * *', 'UTC', 1);
    const empty: WindowSchedule = { ...instant, durationMs: 0 };

    // Act
    const invalid = occurrenceAt(instant, new Date(Number.NaN));
    const zero = occurrenceAt(empty, at('2026-06-10T02:00:00Z'));

    // Assess
    expect(invalid).toBeUndefined();
    expect(zero).toBeUndefined();
  });

  it('throws a ConfigError for a schedule or a time zone the policy schema would have refused', () => {
    // Prepare
    const badSchedule = window('0 25 * * *', 'UTC', 1);
    const badZone = window('0 2 * * *', 'Mars/Olympus_Mons', 1);

    // Act
    const readBadSchedule = () => occurrenceAt(badSchedule, at('2026-06-10T02:00:00Z'));
    const readBadZone = () => occurrenceAt(badZone, at('2026-06-10T02:00:00Z'));

    // Assess
    expect(readBadSchedule).toThrow(ConfigError);
    expect(readBadSchedule).toThrow('maintenance window schedule "0 25 * * *": field "hour" is 25: write 0-23');
    expect(readBadZone).toThrow(ConfigError);
    expect(readBadZone).toThrow('maintenance window time zone "Mars/Olympus_Mons" is not an IANA time zone');
  });
});

describe('occurrenceAt: a weekly window, 0 2 * * SAT in Europe/London for 4 h', () => {
  const saturdayNights = window('0 2 * * SAT', 'Europe/London', 4);

  it('in winter (GMT, UTC+0) opens at 02:00Z', () => {
    // Act
    const inside = iso(occurrenceAt(saturdayNights, at('2026-01-10T03:00:00Z')));
    const atEnd = iso(occurrenceAt(saturdayNights, at('2026-01-10T06:00:00Z')));
    const friday = iso(occurrenceAt(saturdayNights, at('2026-01-09T03:00:00Z')));

    // Assess
    expect(inside).toEqual({ start: '2026-01-10T02:00:00.000Z', end: '2026-01-10T06:00:00.000Z' });
    expect(atEnd).toBeUndefined();
    expect(friday).toBeUndefined();
  });

  it('in summer (BST, UTC+1) opens at 01:00Z, an hour earlier in UTC', () => {
    // Act
    const inside = iso(occurrenceAt(saturdayNights, at('2026-07-11T01:30:00Z')));
    const beforeStart = iso(occurrenceAt(saturdayNights, at('2026-07-11T00:30:00Z')));
    const atEnd = iso(occurrenceAt(saturdayNights, at('2026-07-11T05:00:00Z')));

    // Assess
    expect(inside).toEqual({ start: '2026-07-11T01:00:00.000Z', end: '2026-07-11T05:00:00.000Z' });
    expect(beforeStart).toBeUndefined();
    expect(atEnd).toBeUndefined();
  });
});

describe('clocks going forward: a time that does not exist starts at the first instant after the gap', () => {
  it('Europe/London, 2026-03-29 (01:00 GMT becomes 02:00 BST at 01:00Z): 01:30 starts at 01:00Z', () => {
    // Prepare
    const nightly = window('30 1 * * *', 'Europe/London', 1);

    // Act
    const starts = startsOf(nightly, '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z');
    const onTheDay = iso(occurrenceAt(nightly, at('2026-03-29T01:30:00Z')));

    // Assess
    expect(starts).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(onTheDay).toEqual({ start: '2026-03-29T01:00:00.000Z', end: '2026-03-29T02:00:00.000Z' });
  });

  it('Europe/London, 2026-03-29: a window open across the change lasts its real 4 h (00:00 GMT to 05:00 BST)', () => {
    // Prepare
    const midnight = window('0 0 * * *', 'Europe/London', 4);

    // Act
    const occurrence = iso(occurrenceAt(midnight, at('2026-03-29T03:30:00Z')));

    // Assess
    expect(occurrence).toEqual({ start: '2026-03-29T00:00:00.000Z', end: '2026-03-29T04:00:00.000Z' });
  });

  it('America/New_York, 2026-03-08 (02:00 EST becomes 03:00 EDT at 07:00Z): 02:30 starts at 03:00 EDT, 07:00Z', () => {
    // Prepare
    const nightly = window('30 2 * * *', 'America/New_York', 1);

    // Act
    const starts = startsOf(nightly, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z');
    const inside = iso(occurrenceAt(nightly, at('2026-03-08T07:45:00Z')));
    const justBefore = iso(occurrenceAt(nightly, at('2026-03-08T06:59:00Z')));

    // Assess
    expect(starts).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(inside).toEqual({ start: '2026-03-08T07:00:00.000Z', end: '2026-03-08T08:00:00.000Z' });
    expect(justBefore).toBeUndefined();
  });

  it('America/New_York, 2026-03-08: every half hour, the skipped 02:00 and 02:30 and the real 03:00 start once, at 07:00Z', () => {
    // Prepare
    const halfHourly = window('*/30 * * * *', 'America/New_York', 0.5);

    // Act
    const starts = startsOf(halfHourly, '2026-03-08T06:00:00Z', '2026-03-08T08:00:00Z');

    // Assess
    expect(starts).toEqual(['2026-03-08T06:00:00.000Z', '2026-03-08T06:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T07:30:00.000Z']);
  });

  it('America/New_York, 2026-03-08: a 2 h window from 01:00 EST lasts 2 real hours, to 04:00 EDT', () => {
    // Prepare
    const early = window('0 1 * * *', 'America/New_York', 2);

    // Act
    const occurrence = iso(occurrenceAt(early, at('2026-03-08T07:30:00Z')));

    // Assess
    expect(occurrence).toEqual({ start: '2026-03-08T06:00:00.000Z', end: '2026-03-08T08:00:00.000Z' });
  });
});

describe('clocks going back: a time that happens twice starts once, the first time', () => {
  it('Europe/London, 2026-10-25 (02:00 BST becomes 01:00 GMT at 01:00Z): 01:30 starts at 01:30 BST, 00:30Z, and not again at 01:30 GMT', () => {
    // Prepare
    const nightly = window('30 1 * * *', 'Europe/London', 1);

    // Act
    const starts = startsOf(nightly, '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z');
    const firstPassing = iso(occurrenceAt(nightly, at('2026-10-25T01:15:00Z')));
    const secondPassing = iso(occurrenceAt(nightly, at('2026-10-25T01:45:00Z')));

    // Assess
    expect(starts).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    expect(firstPassing).toEqual({ start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T01:30:00.000Z' });
    expect(secondPassing).toBeUndefined();
  });

  it('America/New_York, 2026-11-01 (02:00 EDT becomes 01:00 EST at 06:00Z): 01:30 starts at 01:30 EDT, 05:30Z', () => {
    // Prepare
    const nightly = window('30 1 * * *', 'America/New_York', 1);

    // Act
    const starts = startsOf(nightly, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z');
    const secondPassing = iso(occurrenceAt(nightly, at('2026-11-01T06:45:00Z')));

    // Assess
    expect(starts).toEqual(['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(secondPassing).toBeUndefined();
  });

  it('America/New_York, 2026-11-01: a 2 h window from 00:30 EDT ends 2 real hours later, at 01:30 EST (06:30Z), not 02:30', () => {
    // Prepare
    const early = window('30 0 * * *', 'America/New_York', 2);

    // Act
    const inside = iso(occurrenceAt(early, at('2026-11-01T06:15:00Z')));
    const atEnd = iso(occurrenceAt(early, at('2026-11-01T06:30:00Z')));

    // Assess
    expect(inside).toEqual({ start: '2026-11-01T04:30:00.000Z', end: '2026-11-01T06:30:00.000Z' });
    expect(atEnd).toBeUndefined();
  });

  it('America/New_York, 2026-11-01: every half hour, the repeated 01:00 and 01:30 EST start nothing', () => {
    // Prepare
    const halfHourly = window('*/30 * * * *', 'America/New_York', 0.5);

    // Act
    const starts = startsOf(halfHourly, '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z');

    // Assess
    expect(starts).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T04:30:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:30:00.000Z',
    ]);
  });
});

describe('day-of-month and day-of-week', () => {
  it('both restricted: a day matches when either does (the 1st, a Sunday, and every Friday of March 2026)', () => {
    // Prepare
    const firstOrFriday = window('0 12 1 * FRI', 'UTC', 1);

    // Act
    const starts = startsOf(firstOrFriday, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');

    // Assess
    expect(starts).toEqual(['2026-03-01T12:00:00.000Z', '2026-03-06T12:00:00.000Z', '2026-03-13T12:00:00.000Z', '2026-03-20T12:00:00.000Z', '2026-03-27T12:00:00.000Z']);
  });

  it('day-of-month a star: only the weekday counts', () => {
    // Prepare
    const fridays = window('0 12 * * FRI', 'UTC', 1);

    // Act
    const starts = startsOf(fridays, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');

    // Assess
    expect(starts).toEqual(['2026-03-06T12:00:00.000Z', '2026-03-13T12:00:00.000Z', '2026-03-20T12:00:00.000Z', '2026-03-27T12:00:00.000Z']);
  });

  it('a step over a star does not restrict (as in Vixie cron): odd days that are Fridays, both must match', () => {
    // Prepare
    const oddFridays = window('0 12 */2 * FRI', 'UTC', 1);

    // Act
    const starts = startsOf(oddFridays, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');

    // Assess
    expect(starts).toEqual(['2026-03-13T12:00:00.000Z', '2026-03-27T12:00:00.000Z']);
  });

  it('7 is Sunday, as 0 is', () => {
    // Prepare
    const sundaysAs7 = window('0 12 * * 7', 'UTC', 1);
    const sundaysAs0 = window('0 12 * * 0', 'UTC', 1);

    // Act
    const as7 = startsOf(sundaysAs7, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    const as0 = startsOf(sundaysAs0, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');

    // Assess
    const sundays = ['2026-03-01T12:00:00.000Z', '2026-03-08T12:00:00.000Z', '2026-03-15T12:00:00.000Z', '2026-03-22T12:00:00.000Z', '2026-03-29T12:00:00.000Z'];
    expect(as7).toEqual(sundays);
    expect(as0).toEqual(sundays);
  });

  it('a weekend range ending on Sunday (SAT-SUN) covers Saturday and Sunday', () => {
    // Prepare
    const weekends = window('0 12 * * SAT-SUN', 'UTC', 1);

    // Act
    const starts = startsOf(weekends, '2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z');

    // Assess
    expect(starts).toEqual(['2026-03-07T12:00:00.000Z', '2026-03-08T12:00:00.000Z']);
  });
});

describe('occurrencesStarting', () => {
  const workingHours = window('0 9-17/4 * * MON-FRI', 'UTC', 1);

  it('lists every start in [from, to), oldest first, over a weekend (09:00, 13:00 and 17:00 on weekdays)', () => {
    // Act
    const occurrences = occurrencesStarting(workingHours, at('2026-06-12T10:00:00Z'), at('2026-06-15T14:00:00Z')).map(iso);

    // Assess
    expect(occurrences).toEqual([
      { start: '2026-06-12T13:00:00.000Z', end: '2026-06-12T14:00:00.000Z' },
      { start: '2026-06-12T17:00:00.000Z', end: '2026-06-12T18:00:00.000Z' },
      { start: '2026-06-15T09:00:00.000Z', end: '2026-06-15T10:00:00.000Z' },
      { start: '2026-06-15T13:00:00.000Z', end: '2026-06-15T14:00:00.000Z' },
    ]);
  });

  it('includes a start at `from` and leaves out one at `to`', () => {
    // Act
    const starts = startsOf(workingHours, '2026-06-12T13:00:00Z', '2026-06-12T17:00:00Z');

    // Assess
    expect(starts).toEqual(['2026-06-12T13:00:00.000Z']);
  });

  it('lists a start in a year by month names: 1 January and 1 July', () => {
    // Prepare
    const halfYearly = window('0 6 1 jan,Jul *', 'UTC', 1);

    // Act
    const starts = startsOf(halfYearly, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z');

    // Assess
    expect(starts).toEqual(['2026-01-01T06:00:00.000Z', '2026-07-01T06:00:00.000Z']);
  });

  it('is empty when the range is empty or backwards', () => {
    // Act
    const empty = startsOf(workingHours, '2026-06-12T13:00:00Z', '2026-06-12T13:00:00Z');
    const backwards = startsOf(workingHours, '2026-06-13T00:00:00Z', '2026-06-12T00:00:00Z');

    // Assess
    expect(empty).toEqual([]);
    expect(backwards).toEqual([]);
  });
});
