// Policy: the `remediation` section — which alarm triggers which bounded action on which allow-listed target.
import * as z from '../zod';
import { ALARM_STATES } from '../alarm/model';
import { ConfigError } from '../errors';
import { describeIssues } from '../validation';

/** Every schema of the `remediation` section, built together on first use. */
function buildRemediationSchemas() {
  const name = z.string().check(z.regex(/^[A-Za-z0-9][\w.-]{0,127}$/, 'expected a name of letters, digits, dot, dash or underscore'));
  // Kubernetes names: DNS-1123 labels for namespaces, DNS-1123 subdomains for deployments.
  const namespaceName = z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes namespace name'));
  const deploymentName = z.string().check(z.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Kubernetes deployment name'));
  const seconds = z.int().check(z.minimum(0), z.maximum(86_400 * 7));
  const count = z.int().check(z.minimum(0));
  const step = z.int().check(z.refine((n) => n !== 0, 'step must not be 0'));

  /** A node group Firebreak may resize; `id` is how rules and the audit trail name it. */
  const nodegroupTargetSchema = z
    .strictObject({
      id: name,
      cluster: name,
      nodegroup: name,
      /** `asg`: SetDesiredCapacity on the group's Auto Scaling group; `nodegroup`: eks:UpdateNodegroupConfig. */
      mode: z.enum(['asg', 'nodegroup']),
      /** Auto Scaling group to use in `asg` mode instead of looking it up with eks:DescribeNodegroup. */
      asgName: z.optional(name),
      /** Tighter bounds than the group's own min/max; the group's are always respected too. */
      minSize: z.optional(count),
      maxSize: z.optional(count),
      /** Permits decreases; scale-down is normally Cluster Autoscaler's job. */
      allowScaleDown: z._default(z.boolean(), false),
      cooldownSeconds: z._default(seconds, 600),
      /** Actions on this target per budget window; defaults to the section's `budget.perTarget`. */
      budgetPerWindow: z.optional(count),
    })
    .check(
      z.refine((t) => t.minSize === undefined || t.maxSize === undefined || t.minSize <= t.maxSize, {
        message: 'minSize must not exceed maxSize',
        path: ['minSize'],
      }),
    );

  /** A Kubernetes deployment Firebreak may scale or restart. */
  const deploymentTargetSchema = z
    .strictObject({
      id: name,
      /** EKS cluster name (endpoint from eks:DescribeCluster) unless KUBECONFIG is set. */
      cluster: name,
      namespace: namespaceName,
      name: deploymentName,
      minReplicas: count,
      maxReplicas: z.int().check(z.minimum(1)),
      allowScaleDown: z._default(z.boolean(), false),
      /** When an HPA owns the deployment: `skip` the action, or move the HPA's `minReplicas` instead. */
      hpa: z._default(z.enum(['skip', 'adjust-min']), 'skip'),
      cooldownSeconds: z._default(seconds, 300),
      budgetPerWindow: z.optional(count),
    })
    .check(z.refine((t) => t.minReplicas <= t.maxReplicas, { message: 'minReplicas must not exceed maxReplicas', path: ['minReplicas'] }));

  const stepOrTo = z.union([z.strictObject({ step }), z.strictObject({ to: count })]);

  /** What a rule does: resize a node group, scale a deployment, or restart it (kubectl rollout restart). */
  const remediationActionSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('scale-nodegroup'), target: name, step }),
    z.strictObject({ kind: z.literal('scale-deployment'), target: name, replicas: stepOrTo }),
    z.strictObject({ kind: z.literal('restart-deployment'), target: name }),
  ]);

  const remediationRuleSchema = z.strictObject({
    alarm: z.string().check(z.minLength(1)),
    state: z.enum(ALARM_STATES),
    action: remediationActionSchema,
    /** Critical: a refusal pages (PagerDuty) as well as telling Slack. */
    critical: z._default(z.boolean(), false),
  });

  /** The `remediation` section of the stage policy. */
  const remediationPolicySchema = z
    .strictObject({
      /** The policy's own kill switch: false stops all remediation, whatever the SSM parameter says. */
      enabled: z._default(z.boolean(), true),
      budget: z.strictObject({
        windowSeconds: z.int().check(z.minimum(60), z.maximum(86_400)),
        /** Default actions per target per window. */
        perTarget: count,
        /** Actions across all targets per window. */
        global: count,
      }),
      nodegroups: z._default(z.array(nodegroupTargetSchema), []),
      deployments: z._default(z.array(deploymentTargetSchema), []),
      rules: z._default(z.array(remediationRuleSchema), []),
    })
    .check(
      z.superRefine((policy, ctx) => {
        const ids = [...policy.nodegroups.map((t) => t.id), ...policy.deployments.map((t) => t.id)];
        ids.forEach((id, i) => {
          if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', message: `target id ${id} is declared twice`, path: ['nodegroups'] });
        });
        policy.rules.forEach((rule, i) => {
          const { kind, target } = rule.action;
          const pool = kind === 'scale-nodegroup' ? policy.nodegroups : policy.deployments;
          if (!pool.some((t) => t.id === target)) {
            const where = kind === 'scale-nodegroup' ? 'nodegroups' : 'deployments';
            ctx.addIssue({ code: 'custom', message: `rule names target ${target}, which is not in ${where}`, path: ['rules', i, 'action', 'target'] });
          }
        });
      }),
    );

  return { nodegroupTargetSchema, deploymentTargetSchema, remediationActionSchema, remediationRuleSchema, remediationPolicySchema };
}

const schemas = z.builtOnFirstUse(buildRemediationSchemas);

export const nodegroupTargetSchema = z.lazy(() => schemas().nodegroupTargetSchema);
export const deploymentTargetSchema = z.lazy(() => schemas().deploymentTargetSchema);
export const remediationActionSchema = z.lazy(() => schemas().remediationActionSchema);
export const remediationRuleSchema = z.lazy(() => schemas().remediationRuleSchema);
/** The `remediation` section of the stage policy. */
export const remediationPolicySchema = z.lazy(() => schemas().remediationPolicySchema);

export type RemediationPolicy = z.infer<typeof remediationPolicySchema>;
export type NodegroupTarget = z.infer<typeof nodegroupTargetSchema>;
export type DeploymentTarget = z.infer<typeof deploymentTargetSchema>;
/** What a policy rule may ask for: resize a node group, scale or restart a deployment. */
export type RuleAction = z.infer<typeof remediationActionSchema>;
export type RemediationRule = z.infer<typeof remediationRuleSchema>;

/**
 * Opening or closing a circuit-breaker flag (`target` is the flag's name). The responder plans these;
 * no rule can name them, since when to shed load is the responder's decision from its diagnosis.
 */
export type BreakerAction =
  | { readonly kind: 'open-breaker'; readonly target: string; readonly reason: string }
  | { readonly kind: 'close-breaker'; readonly target: string; readonly reason: string };

/** Every action the remediation engine carries out, each through the same guards. */
export type RemediationAction = RuleAction | BreakerAction;
export type RemediationActionKind = RemediationAction['kind'];

/** Validates a `remediation` section; throws naming the bad field. */
export function parseRemediationPolicy(json: unknown): RemediationPolicy {
  const parsed = remediationPolicySchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`Invalid remediation policy: ${describeIssues(parsed.error, 'remediation')}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** What a stage without a `remediation` section gets: nothing is ever done. */
export const DISABLED_REMEDIATION: RemediationPolicy = parseRemediationPolicy({
  enabled: false,
  budget: { windowSeconds: 3600, perTarget: 0, global: 0 },
});

/** The rules that fire for this alarm name and state, optionally only of some action kinds. */
export function rulesFor(
  policy: RemediationPolicy,
  alarmName: string,
  state: string,
  kinds?: readonly RemediationActionKind[],
): RemediationRule[] {
  return policy.rules.filter((r) => r.alarm === alarmName && r.state === state && (!kinds || kinds.includes(r.action.kind)));
}
