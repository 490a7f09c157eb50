// Moved to shared/delivery/ledger.ts: notify and the responder both deliver through it. Re-exported here
// while shared/responder/deps.ts, respond.ts and the tests that mock this path still import it from notify.
export * from '../delivery/ledger';
