import { RecordingWorkload, type Slot } from './workload';

/** "Order query" straight to Fabric: each virtual user reads its own preloaded orders (orders:ReadOrder, evaluated). */
export class OrderQuery extends RecordingWorkload {
  protected request(slot: Slot): { request: object; id: string } {
    const ids = this.args.preloaded[slot.index] ?? [];
    const id = ids[slot.sent % Math.max(1, ids.length)];
    if (id === undefined) throw new Error(`virtual user ${slot.user} has no preloaded order`);
    return {
      id,
      request: {
        contractId: this.args.chaincode,
        channel: this.args.channel,
        contractFunction: 'orders:ReadOrder',
        contractArguments: [id],
        invokerMspId: this.args.userMspId,
        invokerIdentity: slot.user,
        readOnly: true,
      },
    };
  }
}

export function createWorkloadModule(): OrderQuery {
  return new OrderQuery();
}
