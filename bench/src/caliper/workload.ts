import { createWriteStream, type WriteStream } from 'node:fs';

import { WorkloadModuleBase, type ConnectorInterface } from '@hyperledger/caliper-core';

import { recordFile, type TxRecord } from './records';

/** What the benchmark config hands every round's workload module (`workload.arguments`). */
export interface RoundArguments {
  /** `<scenario>.<phase>`, e.g. `add_order.measured`: names the record files. */
  readonly round: string;
  readonly recordsDir: string;
  readonly channel: string;
  readonly chaincode: string;
  /** MSP of the virtual users, and of the org that endorses every write with them (the exchange). */
  readonly userMspId: string;
  readonly exchangeMspId: string;
  /** The fixture's virtual users, its order id prefix and what the orders refer to. */
  readonly runId: string;
  readonly users: readonly string[];
  readonly packageId: string;
  readonly seller: string;
  /** Orders written before the query round, by user index. */
  readonly preloaded: readonly (readonly string[])[];
}

/** One virtual user of this worker: its own identity and counter, so keys never collide. */
export interface Slot {
  readonly index: number;
  readonly user: string;
  sent: number;
  inFlight: number;
}

/**
 * The closed loop of one Caliper worker. Caliper's fixed-load controller keeps about
 * `transactionLoad / workers` transactions in flight (it lets the backlog exceed the target by one
 * before it sleeps, and counts only what reached the connector), so each transaction goes to the
 * worker's virtual user with the fewest in flight, the least recently used among equals: with as
 * many users as the load, a user almost always waits for its answer before it sends again, as the
 * paper's users do; no transaction is ever held back. Users are dealt to workers by index. Every
 * transaction is recorded (sent, answered, committed or not), one JSON line each.
 */
export abstract class RecordingWorkload extends WorkloadModuleBase {
  protected args!: RoundArguments;
  private slots: Slot[] = [];
  private out: WriteStream | undefined;

  protected abstract request(slot: Slot): { request: object; id: string };

  override async initializeWorkloadModule(workerIndex: number, totalWorkers: number, roundIndex: number, roundArguments: unknown, sutAdapter: ConnectorInterface, sutContext: unknown): Promise<void> {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    this.args = roundArguments as RoundArguments;
    this.slots = this.args.users.map((user, index) => ({ index, user, sent: 0, inFlight: 0 })).filter((s) => s.index % totalWorkers === workerIndex);
    if (this.slots.length === 0) throw new Error(`worker ${workerIndex} of ${totalWorkers} has no virtual user (${this.args.users.length} users)`);
    this.out = createWriteStream(recordFile(this.args.recordsDir, this.args.round, workerIndex), { flags: 'a' });
  }

  /** The user with the fewest transactions in flight; the slots rotate, so equals take turns. */
  private nextSlot(): Slot {
    let best = 0;
    this.slots.forEach((s, i) => {
      if (s.inFlight < (this.slots[best]?.inFlight ?? 0)) best = i;
    });
    const [slot] = this.slots.splice(best, 1);
    if (!slot) throw new Error('no virtual user');
    this.slots.push(slot);
    return slot;
  }

  override async submitTransaction(): Promise<void> {
    const slot = this.nextSlot();
    const { request, id } = this.request(slot);
    slot.sent++;
    slot.inFlight++;
    // Our own clock around Caliper's: the proposal (and so the transaction's timestamp on the
    // ledger) is made after `start`, which Caliper's creation time is not.
    const start = Date.now();
    try {
      const status = await this.sutAdapter.sendRequests(request);
      const record: TxRecord = { start, end: Date.now(), ok: status.IsCommitted(), user: slot.user, id };
      this.out?.write(`${JSON.stringify(record)}\n`);
    } finally {
      slot.inFlight--;
    }
  }

  override async cleanupWorkloadModule(): Promise<void> {
    const out = this.out;
    this.out = undefined;
    if (out) await new Promise<void>((resolve) => out.end(resolve));
  }
}
