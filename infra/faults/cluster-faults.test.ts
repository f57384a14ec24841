// Completeness under faults on a 3-broker KRaft cluster (events and dead-letter
// topics at replication factor 3, min.insync.replicas=2): a partition leader
// killed under load, two of three brokers down, and several ingest and consumer
// processes of which one each is killed. The same count as every fault suite
// (scenario.ts): 0 lost, 0 doubled, the completeness API agreeing.
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaNode } from '../src/kafka.ts';
import type { LoadResponse } from '../src/load/load-generator.ts';
import type { StackUnderTest } from '../src/load/stack-under-test.ts';
import { runScenario, sleep, stopScenarioStack } from './scenario.ts';

afterEach(stopScenarioStack);

const admin = (brokers: string[]) =>
  new Kafka({ brokers, clientId: 'eventline-cluster-faults', logLevel: logLevel.NOTHING }).admin();

/** The broker leading the partition of `topic` that holds the most messages. */
async function leaderOfBusiestPartition(stack: StackUnderTest): Promise<KafkaNode> {
  const client = admin(stack.brokers);
  await client.connect();
  try {
    const offsets = await client.fetchTopicOffsets(stack.topic);
    const busiest = offsets.reduce((a, b) => (Number(b.high) > Number(a.high) ? b : a));
    const metadata = await client.fetchTopicMetadata({ topics: [stack.topic] });
    const partition = metadata.topics[0]?.partitions.find((p) => p.partitionId === busiest.partition);
    const node = stack.kafkaNodes.find((n) => n.id === partition?.leader);
    if (!node) throw new Error(`no running broker leads partition ${busiest.partition}`);
    process.stdout.write(
      `[faults] busiest partition ${busiest.partition} (${busiest.high} messages), leader ${node.id}\n`,
    );
    return node;
  } finally {
    await client.disconnect();
  }
}

/** Partitions of `topic` owned by each live member of the consumer group. */
async function groupAssignment(stack: StackUnderTest): Promise<number[][]> {
  const client = admin(stack.brokers);
  await client.connect();
  try {
    const { groups } = await client.describeGroups([stack.groupId]);
    return (groups[0]?.members ?? []).map((member) => {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      return [...(assignment?.assignment[stack.topic] ?? [])].sort((a, b) => a - b);
    });
  } finally {
    await client.disconnect();
  }
}

describe('the pipeline on a 3-broker Kafka cluster under faults', () => {
  it('loses and doubles nothing when the leader of the busiest partition is SIGKILLed and back after 10 s', async () => {
    await runScenario(
      'cluster: partition leader SIGKILL',
      async (s) => {
        const leader = await leaderOfBusiestPartition(s);
        await leader.kill();
        await sleep(10_000);
        await leader.start();
      },
      { stack: { kafkaBrokers: 3 } },
    );
  });

  it('answers 503 with Retry-After while two of three brokers are down, and stores everything once they are back', async () => {
    const responses: LoadResponse[] = [];
    const outage = { from: Infinity, to: -Infinity };
    await runScenario(
      'cluster: two of three brokers down',
      async (s) => {
        const [, second, third] = s.kafkaNodes;
        if (!second || !third) throw new Error('the cluster has fewer than 3 brokers');
        await Promise.all([second.kill(), third.kill()]);
        // What was sent before the kill may still have been replicated; from a moment after it,
        // one broker cannot hold anything to the in-sync minimum of two.
        outage.from = Date.now() + 1_000;
        await sleep(15_000);
        outage.to = Date.now();
        await Promise.all([second.start(), third.start()]);
      },
      { stack: { kafkaBrokers: 3 }, onResponse: (response) => responses.push(response) },
    );
    const during = responses.filter((r) => r.sentAt >= outage.from && r.answeredAt <= outage.to);
    const statuses = new Map<number, number>();
    for (const r of during) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    process.stdout.write(
      `[faults] answered during the outage: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}\n`,
    );
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((r) => r.status >= 200 && r.status < 300)).toEqual([]);
    const refused = during.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => Number(r.retryAfter) > 0)).toBe(true);
  });

  it('loses and doubles nothing with 2 ingests and 3 consumers when one of each is SIGKILLed', async () => {
    let after: number[][] = [];
    await runScenario(
      'cluster: 2 ingests, 3 consumers, one of each SIGKILLed',
      async (s) => {
        await Promise.all([s.killIngest(1), s.killConsumer(2)]);
        // The survivors take over the dead consumer's partitions once its session times out.
        for (let i = 0; i < 60; i++) {
          after = await groupAssignment(s);
          if (after.length === 2 && after.flat().length === 6) break;
          await sleep(1_000);
        }
      },
      { stack: { kafkaBrokers: 3, ingests: 2, consumers: 3 } },
    );
    expect(after).toHaveLength(2);
    expect(after.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
