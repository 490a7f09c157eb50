// Unit tests: the RBAC manifest grants exactly what remediation uses, in every namespace the stage policies name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { policyForStage } from '../../../shared/policy/load';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  subjects?: { kind: string; name: string }[];
  roleRef?: { kind: string; name: string };
}

const docs = loadAllYaml(readFileSync(join(__dirname, '../../../shared/k8s/rbac.yaml'), 'utf8')) as Doc[];

it('is namespaced only: Roles and RoleBindings, nothing cluster-wide', () => {
  expect(new Set(docs.map((d) => d.kind))).toEqual(new Set(['Role', 'RoleBinding']));
  expect(docs.every((d) => typeof d.metadata.namespace === 'string')).toBe(true);
});

it('grants only get/patch on deployments and deployments/scale, and get/list/patch on HPAs', () => {
  const granted = docs
    .filter((d) => d.kind === 'Role')
    .flatMap((d) => d.rules ?? [])
    .flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))));
  expect(new Set(granted)).toEqual(
    new Set([
      'apps/deployments:get',
      'apps/deployments:patch',
      'apps/deployments/scale:get',
      'apps/deployments/scale:patch',
      'autoscaling/horizontalpodautoscalers:get',
      'autoscaling/horizontalpodautoscalers:list',
      'autoscaling/horizontalpodautoscalers:patch',
    ]),
  );
});

it.each(['local', 'dev', 'prod'])('covers every namespace the %s policy may touch, bound to the access-entry group', (stage) => {
  const namespaces = new Set((policyForStage(stage).remediation?.deployments ?? []).map((d) => d.namespace));
  for (const namespace of namespaces) {
    expect(docs.some((d) => d.kind === 'Role' && d.metadata.namespace === namespace)).toBe(true);
    const binding = docs.find((d) => d.kind === 'RoleBinding' && d.metadata.namespace === namespace);
    expect(binding?.subjects).toEqual([expect.objectContaining({ kind: 'Group', name: 'firebreak-remediation' })]);
    expect(binding?.roleRef).toMatchObject({ kind: 'Role', name: 'firebreak-remediation' });
  }
});
