// Where acknowledged events that are not stored went, for a fault run that lost
// some: each one is looked for in the events topic (never reached Kafka, or read
// by the consumer and not stored) and in the dead-letter topic, and the points
// stored in its millisecond are listed with the slot it would have preferred, so
// an overwrite (another event's point on its slot) shows as such.
import { InfluxDB, flux } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { FIELD, MEASUREMENT, SLOTS_PER_MS, TAG, TOPICS, preferredSlot, type EnrichedEvent } from '@eventline/contract';

/** Where one lost event is found. */
export interface LostEvent {
  id: string;
  /** Positions (partition/offset) of the records of the events topic that hold it. */
  inKafka: string[];
  /** Dead letters that name it. */
  deadLettered: number;
  eventTime?: number;
  preferredSlot?: number;
  /** Points stored in its series and millisecond: `shard/slot id`. */
  pointsInItsMillisecond: string[];
}

/** Every record of `topic` from the beginning to the end offsets read at the start. */
async function eachRecord(
  brokers: string[],
  topic: string,
  visit: (partition: number, offset: string, value: Buffer) => void,
): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'eventline-lost-events', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
  if (pending.size === 0) return;
  const consumer = kafka.consumer({ groupId: `eventline-lost-events-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not read ${topic} to its end within 120 s`)), 120_000);
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.value) visit(partition, message.offset, message.value);
            if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Looks for each of `ids` in the events and dead-letter topics, and lists the points of its millisecond. */
export async function locateLost(
  stack: { brokers: string[]; topic: string; influxUrl: string; bucket: string },
  ids: readonly string[],
): Promise<LostEvent[]> {
  const lost = new Map<string, LostEvent>(
    ids.map((id) => [id, { id, inKafka: [], deadLettered: 0, pointsInItsMillisecond: [] }]),
  );
  const events = new Map<string, EnrichedEvent>();
  await eachRecord(stack.brokers, stack.topic, (partition, offset, value) => {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    for (const event of (Array.isArray(parsed) ? parsed : [parsed]) as EnrichedEvent[]) {
      const entry = lost.get(event.event.id);
      if (!entry) continue;
      entry.inKafka.push(`${partition}/${offset}`);
      events.set(entry.id, event);
    }
  });
  await eachRecord(stack.brokers, TOPICS.deadLetter, (_partition, _offset, value) => {
    const text = value.toString('utf8');
    for (const entry of lost.values()) if (text.includes(entry.id)) entry.deadLettered++;
  });
  const query = new InfluxDB({ url: stack.influxUrl, token: '', timeout: 60_000 }).getQueryApi('');
  for (const [id, event] of events) {
    const entry = lost.get(id)!;
    entry.eventTime = event.eventTime;
    entry.preferredSlot = preferredSlot(event.event);
    const rows = await query.collectRows<Record<string, string>>(
      flux`from(bucket: ${stack.bucket})
  |> range(start: ${new Date(event.eventTime)}, stop: ${new Date(event.eventTime + 1)})
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id})
  |> filter(fn: (r) => r[${TAG.site}] == ${event.site} and r[${TAG.type}] == ${event.event.type})`,
    );
    entry.pointsInItsMillisecond = rows.map((row) => {
      const nanos = Number(/\.(\d{1,9})Z$/.exec(row['_time'] ?? '')?.[1]?.padEnd(9, '0') ?? 0);
      return `${row[TAG.shard] ?? '-'}/${nanos % SLOTS_PER_MS} ${row['_value']}`;
    });
  }
  return [...lost.values()];
}

/** One line per lost event (the first `max`), and where the others went in total. */
export function describeLost(located: readonly LostEvent[], max = 10): string {
  const neverInKafka = located.filter((e) => e.inKafka.length === 0).length;
  const deadLettered = located.filter((e) => e.deadLettered > 0).length;
  const lines = located
    .slice(0, max)
    .map(
      (e) =>
        `  ${e.id}: records ${e.inKafka.join(' ') || 'none'}, dead letters ${e.deadLettered}` +
        (e.eventTime === undefined
          ? ''
          : `, ms ${e.eventTime} preferring slot ${e.preferredSlot}; stored there: ${e.pointsInItsMillisecond.join(', ') || 'nothing'}`),
    );
  return (
    `lost ${located.length}: ${neverInKafka} never in the events topic, ${located.length - neverInKafka} in it, ` +
    `${deadLettered} dead-lettered\n${lines.join('\n')}\n`
  );
}
