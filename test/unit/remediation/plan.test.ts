// Unit tests: the pure scaling maths and hard bounds.
import { boundChange, nodegroupBounds, planReplicas } from '../../../shared/remediation/plan';
import { samplePolicy } from './support/fixtures';

const up = { min: 2, max: 6, allowScaleDown: false };

describe('boundChange', () => {
  it('allows a change inside the bounds', () => {
    expect(boundChange('capacity', 3, 4, up)).toEqual({ ok: true, before: 3, after: 4, min: 2, max: 6, capped: false });
  });
  it('caps at max and says so', () => {
    expect(boundChange('capacity', 5, 9, up)).toMatchObject({ ok: true, after: 6, capped: true });
  });
  it('refuses at max with the numbers', () => {
    expect(boundChange('capacity', 6, 7, up)).toMatchObject({ ok: false, reason: 'already at maximum capacity (6 of max 6)' });
  });
  it('refuses any decrease unless scale-down is allowed', () => {
    expect(boundChange('replicas', 6, 3, up)).toMatchObject({ ok: false, reason: expect.stringContaining('scale-down from 6 to 3 is not allowed') });
    expect(boundChange('replicas', 6, 3, { ...up, allowScaleDown: true })).toMatchObject({ ok: true, after: 3 });
  });
  it('never goes below min when scaling down', () => {
    expect(boundChange('replicas', 4, 0, { ...up, allowScaleDown: true })).toMatchObject({ ok: true, after: 2, capped: true });
    expect(boundChange('replicas', 2, 1, { ...up, allowScaleDown: true })).toMatchObject({ ok: false, reason: 'already at minimum replicas (2 of min 2)' });
  });
  it('refuses a request that changes nothing', () => {
    expect(boundChange('replicas', 3, 3, up)).toMatchObject({ ok: false, reason: 'already at 3 replicas' });
  });
  it('does not shrink a group already above max when scale-down is not allowed', () => {
    expect(boundChange('capacity', 8, 9, up)).toMatchObject({ ok: false });
  });
  it('never turns a request into its opposite when the size is already outside the bounds, even with scale-down allowed', () => {
    const either = { ...up, allowScaleDown: true };
    // +1 at 8 of max 6: capping would remove two nodes.
    expect(boundChange('capacity', 8, 9, either)).toMatchObject({ ok: false, reason: expect.stringContaining('already above maximum capacity (8 of max 6)') });
    // -1 at 1 of min 2: raising to min would add one.
    expect(boundChange('replicas', 1, 0, either)).toMatchObject({ ok: false, reason: expect.stringContaining('already below minimum replicas (1 of min 2)') });
    // An absolute count equal to the current size asks for no change.
    expect(boundChange('replicas', 8, 8, either)).toMatchObject({ ok: false, reason: expect.stringContaining('no change was requested') });
    // Below min, an increase is still raised to min; above max, a decrease is still capped at max.
    expect(boundChange('replicas', 1, 2, either)).toMatchObject({ ok: true, after: 2 });
    expect(boundChange('replicas', 0, 1, either)).toMatchObject({ ok: true, after: 2, capped: true });
    expect(boundChange('replicas', 9, 7, either)).toMatchObject({ ok: true, after: 6, capped: true });
  });
});

describe('nodegroupBounds', () => {
  it("narrows the group's bounds by the policy's, never widens them", () => {
    const target = { ...samplePolicy().nodegroups[0]!, minSize: 1, maxSize: 4 };
    expect(nodegroupBounds(target, { desired: 3, min: 2, max: 10 })).toEqual({ min: 2, max: 4 });
    expect(nodegroupBounds({ ...target, maxSize: 20 }, { desired: 3, min: 2, max: 10 })).toEqual({ min: 2, max: 10 });
  });
});

describe('planReplicas', () => {
  const target = samplePolicy().deployments[0]!;
  it('caps the absolute count at maxReplicas and raises it to minReplicas', () => {
    expect(planReplicas(target, { replicas: 3, paused: false }, { to: 50 })).toMatchObject({ ok: true, after: 10, capped: true });
    expect(planReplicas(target, { replicas: 6, paused: false }, { to: 1 })).toMatchObject({ ok: true, after: 3, capped: true });
  });
  it('a step up on a deployment scaled by hand past maxReplicas is refused, not capped down', () => {
    const plan = planReplicas({ ...target, allowScaleDown: true }, { replicas: 12, paused: false }, { step: 1 });
    expect(plan).toMatchObject({ ok: false, guard: 'bounds', before: 12, reason: expect.stringContaining('already above maximum replicas (12 of max 10)') });
  });
  it("with an HPA and adjust-min, works on the HPA's minReplicas within the HPA's max", () => {
    const plan = planReplicas({ ...target, hpa: 'adjust-min' }, { replicas: 5, paused: false, hpa: { name: 'h', minReplicas: 3, maxReplicas: 5 } }, { to: 6 });
    expect(plan).toMatchObject({ ok: true, via: 'hpa-min', before: 3, after: 5, capped: true, hpaName: 'h' });
  });
  it("refuses when the HPA's maxReplicas is below the policy's minReplicas, never setting a min below it (property test's shrunk input)", () => {
    const plan = planReplicas({ ...target, hpa: 'adjust-min' }, { replicas: 0, paused: false, hpa: { name: 'h', minReplicas: 0, maxReplicas: 1 } }, { to: 3 });
    expect(plan).toMatchObject({ ok: false, guard: 'bounds', before: 0, reason: "HPA h maxReplicas 1 is below the policy's minReplicas 3: no replica count is within both" });
  });
});
