// Test support: writes the sample CloudWatch Logs deliveries in events/ (run: npx tsx test/support/write-logs-events.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleEvents } from './logs-samples';

const dir = join(__dirname, '..', '..', 'events');
for (const [name, event] of Object.entries(sampleEvents())) {
  writeFileSync(join(dir, name), `${JSON.stringify(event, null, 2)}\n`);
  console.log(`wrote events/${name} (${event.awslogs.data.length} base64 chars)`);
}
