// Validation: one way to say what was wrong with an input that failed its schema.
import type * as z from './zod';

/**
 * `path: message` for each problem, `; `-separated, at most `limit` of them. `prefix` is put before
 * every path, so a section's problems read as paths in the whole document (`remediation.rules.0.step`).
 */
export function describeIssues(error: z.core.$ZodError, prefix = '', limit = 10): string {
  const shown = error.issues.slice(0, limit).map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}
