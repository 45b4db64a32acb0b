import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type * as grpc from '@grpc/grpc-js';
import { connect, type Gateway } from '@hyperledger/fabric-gateway';

import { APP_TLS_CLIENT, callTimedOut, endorseUntilAgreed, identityOf, peerClient, peers, peerUnanswered, type PeerInfo, type StateLayout, type Topology } from '@energysale/network';

import type { UserIdentity } from './identities';
import { nativeSigner } from './signer';

export type WritePhase = 'endorse' | 'submit' | 'commit';

export interface Invocation {
  readonly user: UserIdentity;
  /** The chaincode; default the model's retail chaincode (another is one deployed beside it, e.g. bench ceiling's calibration). */
  readonly chaincode?: string;
  readonly contract: string;
  readonly fn: string;
  readonly args?: readonly string[];
  /** Private values: they go to the endorsers in the transient map, never into the transaction. */
  readonly transient?: Readonly<Record<string, string>>;
  /** MSP ids whose peers must endorse (or evaluate); the gateway chooses when absent. */
  readonly endorsingOrgs?: readonly string[];
}

export interface WriteResult {
  readonly result: Uint8Array;
  readonly transactionId: string;
  readonly blockNumber: bigint;
}

/** A transaction that reached the orderer but did not commit as valid (MVCC conflict, policy failure, ...). */
export class TransactionInvalidError extends Error {
  override readonly name = 'TransactionInvalidError';
  constructor(
    readonly transactionId: string,
    readonly validationCode: string,
  ) {
    super(`transaction ${transactionId} was not committed as valid: ${validationCode}`);
  }
}

export interface FabricClientOptions {
  /** A deliberate regression (the benchmark gate's test): each write waits this long before its endorsement. */
  readonly injectedWriteDelayMs?: number;
  /** Told the duration of each phase of each write. */
  readonly onPhase?: (phase: WritePhase, seconds: number) => void;
  /** Told whenever a peer could not be reached and the next one of the org was tried. */
  readonly onFailover?: (from: PeerInfo, error: unknown) => void;
  /** Told whenever a transaction not committed in one commit attempt was sent to the orderers again (with the send's error, if it failed). */
  readonly onResend?: (transactionId: string, error?: unknown) => void;
}

/**
 * A write's time limits in milliseconds: each phase's deadline per attempt, and each phase's budget
 * over all its attempts.
 * - An endorsement that got no answer is made again while its budget lasts (after a peer kill the
 *   next attempt finds the dead peer dropped).
 * - A transaction no orderer took (no Raft leader while one is elected: 5-10 s of Raft ticks after
 *   the leader is lost) is sent again, round the org's peers, while its budget lasts.
 * - A commit status not come in an attempt's time is asked of the org's next peer (a frozen peer
 *   never answers; another tells the same block), and the transaction is sent to the orderers again
 *   first (an orderer that died or was cut off holding it never orders it).
 * Every resend is the same signed bytes: one transaction id, at most one valid copy. nginx waits
 * for the budgets' sum (lb/nginx.ts).
 */
export const WRITE_DEADLINES_MS = {
  evaluate: 5_000,
  endorseAttempt: 12_000,
  endorse: 25_000,
  submitAttempt: 5_000,
  submit: 12_000,
  commitAttempt: 10_000,
  commit: 30_000,
} as const;

/** The longest a write can take before the service answers it. */
export const WRITE_WORST_CASE_MS = WRITE_DEADLINES_MS.endorse + WRITE_DEADLINES_MS.submit + WRITE_DEADLINES_MS.commit;

/** Each attempt's deadline: its own limit, or what is left of the budget. */
const attemptDeadline = (attemptMs: number, until: number): { deadline: number } => ({ deadline: Math.min(Date.now() + attemptMs, until) });

/** The pause before asking the org's peers again, once each has failed. */
const FAILOVER_ROUND_PAUSE_MS = 250;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * The service's way into Fabric. One long-lived gRPC connection per peer of each org (mutual TLS
 * with the org's application TLS identity), shared by all the org's users; a Gateway per user and
 * peer signs with the user's own key. A write is endorse, submit, commit status, each timed; a peer
 * that cannot be reached is replaced by the next peer of the user's org at whatever phase it failed,
 * resending the same signed bytes, so a write is never done twice.
 */
export class FabricClient {
  private readonly connections = new Map<string, { peer: PeerInfo; client: grpc.Client }[]>();
  private readonly gateways = new Map<string, Gateway>();
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly topology: Topology,
    private readonly layout: StateLayout,
    private readonly options: FabricClientOptions = {},
  ) {}

  get submissionsInFlight(): number {
    return this.inFlight;
  }

  private connectionsOf(orgKey: string): { peer: PeerInfo; client: grpc.Client }[] {
    let list = this.connections.get(orgKey);
    if (!list) {
      const tls = identityOf(this.layout, orgKey, APP_TLS_CLIENT);
      list = peers(this.topology)
        .filter((p) => p.org.key === orgKey)
        .map((peer) => ({ peer, client: peerClient(this.layout, peer, tls) }));
      this.connections.set(orgKey, list);
    }
    return list;
  }

  private gatewayOf(user: UserIdentity, index: number): Gateway {
    const key = `${user.org.key}/${user.user}/${index}`;
    let gateway = this.gateways.get(key);
    if (!gateway) {
      const connection = this.connectionsOf(user.org.key)[index];
      if (!connection) throw new Error(`${user.org.name} has no peer ${index}`);
      gateway = connect({
        client: connection.client,
        identity: { mspId: user.org.mspId, credentials: user.certificate },
        ...nativeSigner(createPrivateKey(readFileSync(user.files.signKey))),
        evaluateOptions: () => ({ deadline: Date.now() + WRITE_DEADLINES_MS.evaluate }),
        endorseOptions: () => ({ deadline: Date.now() + WRITE_DEADLINES_MS.endorseAttempt }),
        submitOptions: () => ({ deadline: Date.now() + WRITE_DEADLINES_MS.submitAttempt }),
        commitStatusOptions: () => ({ deadline: Date.now() + WRITE_DEADLINES_MS.commitAttempt }),
      });
      this.gateways.set(key, gateway);
    }
    return gateway;
  }

  /**
   * Runs `step` on the user's org peers in turn, moving on only when a peer cannot be reached or did
   * not answer in time: once round the org, or (with `until`) round and round, a pause between
   * rounds, until that time.
   */
  private async withFailover<T>(user: UserIdentity, step: (gateway: Gateway) => Promise<T>, until?: number): Promise<T> {
    const count = this.connectionsOf(user.org.key).length;
    for (let i = 0; ; i++) {
      try {
        return await step(this.gatewayOf(user, i % count));
      } catch (error) {
        if (!peerUnanswered(error)) throw error;
        const connection = this.connectionsOf(user.org.key)[i % count];
        if (connection) this.options.onFailover?.(connection.peer, error);
        const roundDone = (i + 1) % count === 0;
        if (until === undefined ? roundDone : Date.now() + FAILOVER_ROUND_PAUSE_MS >= until) throw error;
        if (roundDone) await new Promise((resolve) => setTimeout(resolve, FAILOVER_ROUND_PAUSE_MS));
      }
    }
  }

  private proposal(gateway: Gateway, call: Invocation) {
    return gateway
      .getNetwork(this.topology.channel.name)
      .getContract(call.chaincode ?? this.topology.chaincode.name, call.contract)
      .newProposal(call.fn, {
        arguments: [...(call.args ?? [])],
        ...(call.transient ? { transientData: call.transient } : {}),
        ...(call.endorsingOrgs ? { endorsingOrganizations: [...call.endorsingOrgs] } : {}),
      });
  }

  /** A read: evaluated by one peer, no ordering. */
  async evaluate(call: Invocation): Promise<Uint8Array> {
    return this.withFailover(call.user, (gateway) => this.proposal(gateway, call).evaluate());
  }

  /** A write: resolves only once the transaction is committed as valid. */
  async submit(call: Invocation): Promise<WriteResult> {
    if (this.closed) throw new Error('the Fabric client is closed');
    this.inFlight++;
    try {
      const delay = this.options.injectedWriteDelayMs ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      let start = process.hrtime.bigint();
      const signedProposal = this.proposal(this.gatewayOf(call.user, 0), call).getBytes();
      // Endorsers a block apart may disagree just after a write, an endorser may be dead and not yet
      // dropped: the same proposal is endorsed again, each attempt within what is left of the budget.
      const endorseBy = Date.now() + WRITE_DEADLINES_MS.endorse;
      const transaction = await endorseUntilAgreed(
        () => this.withFailover(call.user, (gateway) => gateway.newProposal(signedProposal).endorse(attemptDeadline(WRITE_DEADLINES_MS.endorseAttempt, endorseBy))),
        { until: endorseBy },
      );
      this.options.onPhase?.('endorse', seconds(start));
      const transactionBytes = transaction.getBytes();

      start = process.hrtime.bigint();
      const submitBy = Date.now() + WRITE_DEADLINES_MS.submit;
      const submitted = await this.withFailover(call.user, (gateway) => gateway.newTransaction(transactionBytes).submit(attemptDeadline(WRITE_DEADLINES_MS.submitAttempt, submitBy)), submitBy);
      this.options.onPhase?.('submit', seconds(start));
      const commitBytes = submitted.getBytes();

      start = process.hrtime.bigint();
      const commitBy = Date.now() + WRITE_DEADLINES_MS.commit;
      let timedOut = false;
      const status = await this.withFailover(
        call.user,
        async (gateway) => {
          if (timedOut) await this.resend(gateway, transactionBytes, submitted.getTransactionId(), commitBy);
          try {
            return await gateway.newCommit(commitBytes).getStatus(attemptDeadline(WRITE_DEADLINES_MS.commitAttempt, commitBy));
          } catch (error) {
            // Only a wait that ran its time means the transaction may be lost; a peer that could not
            // be reached says nothing about it.
            timedOut = callTimedOut(error);
            throw error;
          }
        },
        commitBy,
      );
      this.options.onPhase?.('commit', seconds(start));
      if (!status.successful) {
        throw new TransactionInvalidError(status.transactionId, String(status.code));
      }
      return { result: transaction.getResult(), transactionId: status.transactionId, blockNumber: status.blockNumber };
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Sends an endorsed transaction to the orderers again (once per commit status attempt that ran
   * its time), within the commit's budget. Safe: the same signed bytes, the same transaction id; a
   * second copy in a block is invalid (DUPLICATE_TXID) and writes nothing, and peers do not wait for
   * its private data (peer.gossip.pvtData.skipPullingInvalidTransactionsDuringCommit). A send that
   * fails is reported and the wait goes on: the first copy may still commit.
   */
  private async resend(gateway: Gateway, transactionBytes: Uint8Array, transactionId: string, until: number): Promise<void> {
    try {
      await gateway.newTransaction(transactionBytes).submit(attemptDeadline(WRITE_DEADLINES_MS.submitAttempt, until));
      this.options.onResend?.(transactionId);
    } catch (error) {
      this.options.onResend?.(transactionId, error);
    }
  }

  /** Whether at least one peer of some org answers: what readiness means. */
  async reachable(timeoutMs = 2000): Promise<boolean> {
    let all: { client: grpc.Client }[];
    try {
      all = this.topology.peerOrgs.flatMap((org) => this.connectionsOf(org.key));
    } catch {
      // No TLS identity to connect with (the network is not set up).
      return false;
    }
    const results = await Promise.all(
      all.map(
        ({ client }) =>
          new Promise<boolean>((resolve) => {
            client.waitForReady(Date.now() + timeoutMs, (error) => {
              resolve(!error);
            });
          }),
      ),
    );
    return results.some(Boolean);
  }

  /** Stops taking writes, waits (up to `drainMs`) for those in flight, then closes every connection. */
  async close(drainMs = 30_000): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + drainMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const gateway of this.gateways.values()) gateway.close();
    for (const list of this.connections.values()) for (const { client } of list) client.close();
    this.gateways.clear();
    this.connections.clear();
  }
}
