// Produces enriched events at a steady rate in its own process (as ingest would),
// so the benchmark's consumer does not share its event loop with the producer.
// Usage: steady-producer.ts <brokers> <topic> <rate per second> <seconds>
import { asRecords, enrichedEvents, testKafka } from '../test/support/fixtures.ts';

const [brokers = '', topic = '', rateArg = '10000', secondsArg = '20'] = process.argv.slice(2);
const rate = Number(rateArg);
const events = enrichedEvents(rate * Number(secondsArg), { startMs: Date.now() - 7_200_000 });
const producer = testKafka(brokers.split(',')).producer({ allowAutoTopicCreation: false, retry: { retries: 10 } });
await producer.connect();
const started = Date.now();
let sent = 0;
const sends: Promise<unknown>[] = [];
while (sent < events.length) {
  const due = Math.min(events.length, Math.floor(((Date.now() - started) / 1000) * rate));
  // At most 1 000 messages per send, so a record batch stays under the broker's 1 MiB limit after a stall.
  for (let from = sent; from < due; from += 1_000) {
    const now = String(Date.now());
    // As ingest writes them: a record per session's run of events.
    const messages = asRecords(events.slice(from, Math.min(due, from + 1_000))).map((m) => ({ ...m, timestamp: now }));
    const send = producer.send({ topic, acks: 1, messages });
    send.catch(() => {});
    sends.push(send);
  }
  sent = Math.max(sent, due);
  await new Promise((r) => setTimeout(r, 5));
}
await Promise.all(sends);
await producer.disconnect();
process.stdout.write(`${JSON.stringify({ events: events.length, ms: Date.now() - started })}\n`);
