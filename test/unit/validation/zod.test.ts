// Validation: the zod every schema is built with speaks English and runs without its compiled fast path.
import * as z from '../../../shared/zod';
import { describeIssues } from '../../../shared/validation';

describe('shared zod', () => {
  it('gives zod’s English messages, which zod/mini does not load by itself', () => {
    const schema = z.strictObject({ name: z.string().check(z.minLength(1)), replicas: z.int().check(z.minimum(0)) });

    const parsed = schema.safeParse({ name: '', replicas: 1.5, extra: true });

    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error!, 'target')).toBe(
      'target.name: Too small: expected string to have >=1 characters; ' +
        'target.replicas: Invalid input: expected int, received number; ' +
        'target: Unrecognized key: "extra"',
    );
  });

  it('keeps a schema’s own message over the English default', () => {
    const parsed = z.string().check(z.regex(/^[a-z]+$/, 'expected a lower-case name')).safeParse('Api');

    expect(describeIssues(parsed.error!)).toBe('(root): expected a lower-case name');
  });

  it('parses without compiling object schemas, since each is parsed about once per container', () => {
    expect(z.config().jitless).toBe(true);
  });

  it('says how many problems it left out', () => {
    const parsed = z.array(z.string()).safeParse([1, 2, 3]);

    expect(describeIssues(parsed.error!, '', 2)).toBe(
      '0: Invalid input: expected string, received number; 1: Invalid input: expected string, received number; and 1 more',
    );
  });
});
