import { connectGateway } from '../client/gateway';
import type { NativeContext } from '../runtime/native/specs';
import { sleep } from '../util/retry';

export class ChaincodeNotReadyError extends Error {
  override readonly name = 'ChaincodeNotReadyError';
}

/**
 * Resolves once each peer org's gateway can have a transaction endorsed under the chaincode's
 * policy. Right after a commit or a restart, a gateway's discovery may not yet know which of the
 * other orgs' peers run the chaincode (that travels by gossip), and a write then fails for want of
 * endorsers; this waits that out, bounded, by endorsing (never submitting) a read of each org's
 * first user.
 */
export async function waitUntilEndorsable(ctx: NativeContext, log: (line: string) => void, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  await Promise.all(
    ctx.topology.peerOrgs.map(async (org) => {
      const [user] = org.users;
      if (!user) return;
      const connection = connectGateway(ctx.topology, ctx.layout, { org: org.key, user: user.name });
      try {
        const contract = connection.gateway.getNetwork(ctx.topology.channel.name).getContract(ctx.topology.chaincode.name, 'orders');
        for (;;) {
          try {
            await contract.newProposal('GetReviewMode').endorse();
            return;
          } catch (error) {
            if (Date.now() - started > timeoutMs) {
              throw new ChaincodeNotReadyError(`${org.name}'s gateway could not have a transaction endorsed within ${timeoutMs / 1000} s`, { cause: error });
            }
            await sleep(500);
          }
        }
      } finally {
        connection.close();
      }
    }),
  );
  log(`  every org's gateway has transactions endorsed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
