// System suite order: the contract and scenario files by name, then least-privilege.test.ts, which reads what they authorised.
const Sequencer = require('@jest/test-sequencer').default;

const LAST = 'least-privilege.test.ts';

class SystemSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => {
      const lastA = a.path.endsWith(LAST);
      const lastB = b.path.endsWith(LAST);
      if (lastA !== lastB) return lastA ? 1 : -1;
      return a.path.localeCompare(b.path);
    });
  }
}

module.exports = SystemSequencer;
