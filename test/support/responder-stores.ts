// Test support: every STATE_TABLE port the respond handler uses (incidents, deliveries, the remediation ledger and
// audit trail) in memory. The DynamoDB adapters behind them are proved against the emulator in test/system/contract/.
import { InMemoryDeliveryLedger, type DeliveryLedger } from '../../shared/delivery/ledger';
import { memoryIncidentStore } from '../../shared/responder/memory-store';
import type { IncidentStore } from '../../shared/responder/timeline';
import { memoryRemediationStores } from './remediation-stores';

/**
 * Fresh stores per test behind ports the handler keeps for its container: the ports forward to whichever
 * stores are current, and `reset` replaces them. A test hands the ports to the handler with `jest.mock` factories
 * written in the test file itself: this module loads the modules those factories replace, so a factory imported
 * from here would be called before this module is.
 */
export function memoryResponderStores() {
  let incidents = memoryIncidentStore();
  let deliveries = new InMemoryDeliveryLedger();
  const remediation = memoryRemediationStores();
  const incidentPort: IncidentStore = {
    openOrGet: (...args) => incidents.openOrGet(...args),
    current: (...args) => incidents.current(...args),
    record: (...args) => incidents.record(...args),
    steps: (...args) => incidents.steps(...args),
    claimAction: (...args) => incidents.claimAction(...args),
    releaseAction: (...args) => incidents.releaseAction(...args),
    resolve: (...args) => incidents.resolve(...args),
    claimMessage: (...args) => incidents.claimMessage(...args),
    releaseMessage: (...args) => incidents.releaseMessage(...args),
  };
  const deliveryPort: DeliveryLedger = {
    claim: (...args) => deliveries.claim(...args),
    markDelivered: (...args) => deliveries.markDelivered(...args),
    release: (...args) => (deliveries as DeliveryLedger).release(...args),
  };
  return {
    get incidents() {
      return incidents;
    },
    get deliveries() {
      return deliveries;
    },
    remediation,
    incidentPort,
    deliveryPort,
    reset() {
      incidents = memoryIncidentStore();
      deliveries = new InMemoryDeliveryLedger();
      remediation.reset();
    },
  };
}
