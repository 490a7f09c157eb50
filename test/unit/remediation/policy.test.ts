// Unit tests: the `remediation` policy section — the stage files, and the mistakes validation must catch.
import { policyForStage } from '../../../shared/policy/load';
import { parsePolicy } from '../../../shared/policy/parse-policy';
import { parseRemediationPolicy, rulesFor } from '../../../shared/remediation/policy';
import { SAMPLE_REMEDIATION_SECTION } from './support/fixtures';

const section = () => structuredClone(SAMPLE_REMEDIATION_SECTION) as Record<string, unknown> & typeof SAMPLE_REMEDIATION_SECTION;

describe('stage policies', () => {
  it.each(['local', 'dev'])('%s: HighCPU ALARM adds one node in asg mode and scales the API to 6; OK scales it back to 3', (stage) => {
    const remediation = policyForStage(stage).remediation;
    if (!remediation) throw new Error(`${stage} has no remediation section`);

    const onAlarm = rulesFor(remediation, 'RetailPrediction-HighCPU', 'ALARM');
    const onOk = rulesFor(remediation, 'RetailPrediction-HighCPU', 'OK');

    expect(onAlarm.map((r) => r.action)).toEqual([
      { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 1 },
      { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 6 } },
    ]);
    expect(onOk.map((r) => r.action)).toEqual([{ kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 3 } }]);
    expect(remediation.nodegroups[0]).toMatchObject({ cluster: 'retail-prediction-cluster', nodegroup: 'retail-prediction-nodegroup', mode: 'asg', allowScaleDown: false });
    expect(remediation.deployments[0]).toMatchObject({ namespace: 'mlops', name: 'retail-forecast-api' });
  });

  it('prod validates too', () => {
    expect(policyForStage('prod').remediation?.enabled).toBe(true);
  });

  it('a stage policy with a bad remediation field fails naming the field', () => {
    const document = structuredClone(policyForStage('dev')) as unknown as { remediation: { nodegroups: { mode: string }[] } };
    document.remediation.nodegroups[0]!.mode = 'kubectl';
    expect(() => parsePolicy(document, 'policy for stage dev')).toThrow(/remediation\.nodegroups\.0\.mode/);
  });
});

describe('parseRemediationPolicy', () => {
  it('rejects a rule whose target is not declared', () => {
    const s = section();
    s.rules.push({ alarm: 'X', state: 'ALARM', action: { kind: 'restart-deployment', target: 'payments-api' } } as never);
    expect(() => parseRemediationPolicy(s)).toThrow(/rules\.3\.action\.target: rule names target payments-api, which is not in deployments/);
  });

  it('rejects a node-group rule pointing at a deployment target', () => {
    const s = section();
    s.rules[0]!.action = { kind: 'scale-nodegroup', target: 'retail-forecast-api', step: 1 };
    expect(() => parseRemediationPolicy(s)).toThrow(/not in nodegroups/);
  });

  it('rejects minReplicas above maxReplicas, a zero step, unknown keys and duplicate ids', () => {
    const bounds = section();
    bounds.deployments[0]!.minReplicas = 11;
    expect(() => parseRemediationPolicy(bounds)).toThrow(/minReplicas must not exceed maxReplicas/);

    const zero = section();
    zero.rules[0]!.action = { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 0 };
    expect(() => parseRemediationPolicy(zero)).toThrow(/step must not be 0/);

    const unknown = section();
    Object.assign(unknown.nodegroups[0]!, { maxNodes: 9 });
    expect(() => parseRemediationPolicy(unknown)).toThrow(/maxNodes/);

    const dup = section();
    dup.deployments[0]!.id = 'retail-prediction-nodegroup';
    expect(() => parseRemediationPolicy(dup)).toThrow(/declared twice/);
  });

  it('defaults: enabled, no scale-down, HPA skipped, cooldowns', () => {
    const s = section();
    delete (s as Partial<typeof s>).enabled;
    const p = parseRemediationPolicy(s);
    expect(p.enabled).toBe(true);
    expect(p.nodegroups[0]).toMatchObject({ allowScaleDown: false, cooldownSeconds: 600 });
  });
});
