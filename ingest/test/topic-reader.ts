// Reads everything on a test topic, for integration tests that check what
// ingest actually wrote. The count comes from the partitions' offsets, so the
// read stops exactly at the end instead of waiting for a quiet period.
import { Kafka, logLevel } from 'kafkajs';
import { eventually, uniqueName } from '@eventline/testkit';

export interface TopicMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
  partition: number;
}

/** The event ids in a record's value (a JSON array of EnrichedEvents). */
export function idsIn(value: string): string[] {
  return (JSON.parse(value) as { event: { id: string } }[]).map((e) => e.event.id);
}

export async function readTopic(brokers: string[], topic: string): Promise<TopicMessage[]> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // A broker that has just restarted answers "does not host this topic-partition" until it has loaded its logs.
  let offsets: Awaited<ReturnType<typeof admin.fetchTopicOffsets>> = [];
  try {
    await eventually(`the offsets of ${topic}`, async () => {
      offsets = await admin.fetchTopicOffsets(topic);
      return true;
    });
  } finally {
    await admin.disconnect();
  }
  const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  if (total === 0) return [];
  const consumer = kafka.consumer({ groupId: uniqueName('ingest-test-reader') });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${messages.length} of ${total} messages from ${topic}`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          messages.push({
            key: String(message.key),
            value: String(message.value),
            headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            partition,
          });
          if (messages.length === total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
