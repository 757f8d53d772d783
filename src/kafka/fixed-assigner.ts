/**
 * kafkajs can only consume through a consumer group. `cdc watch` without --group uses a private,
 * throw-away group with this assigner, which gives its single member exactly the partitions the
 * user asked for — the closest kafkajs gets to librdkafka's assign() (kcat's default mode).
 */
import type { AssignerProtocol as AssignerProtocolType, PartitionAssigner } from 'kafkajs';

export function fixedAssigner(protocol: typeof AssignerProtocolType, partitions: Record<string, number[]>): PartitionAssigner {
  return () => ({
    name: 'CdcWatchFixedAssigner',
    version: 0,
    async assign({ members }) {
      // Only one member ever joins a private group; should a second appear, it gets nothing.
      const [first, ...others] = members.map((m) => m.memberId).sort();
      return [
        { memberId: first, memberAssignment: protocol.MemberAssignment.encode({ version: 0, assignment: partitions, userData: Buffer.alloc(0) }) },
        ...others.map((memberId) => ({
          memberId,
          memberAssignment: protocol.MemberAssignment.encode({ version: 0, assignment: {}, userData: Buffer.alloc(0) }),
        })),
      ];
    },
    protocol({ topics }) {
      return { name: 'CdcWatchFixedAssigner', metadata: protocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}
