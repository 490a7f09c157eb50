// Test fixture: a refusal notice as the engine tells it — the node group already at its maximum, not critical unless overridden.
import type { RefusalNotice } from '../../shared/remediation/types';

export const refusalNotice = (overrides: Partial<RefusalNotice> = {}): RefusalNotice => ({
  alarm: 'RetailPrediction-HighCPU',
  alarmState: 'ALARM',
  target: 'retail-prediction-nodegroup',
  action: 'scale-nodegroup',
  guard: 'bounds',
  reason: 'retail-prediction-cluster/retail-prediction-nodegroup: already at maximum capacity (6 of max 6)',
  critical: false,
  ...overrides,
});
