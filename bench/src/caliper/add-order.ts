import { randomBytes } from 'node:crypto';

import { DECLARE_ORDER } from '../table4/chain-count';
import { orderTerms } from '../table4/prepare';
import { RecordingWorkload, type Slot } from './workload';

/**
 * "Add order" straight to Fabric: the transaction the service submits for `POST /orders`
 * (orders:DeclareOrder, the declaration as its argument, the terms with a salt in the transient
 * field `terms`, endorsed by the exchange and the user's org), signed by the virtual user.
 */
export class AddOrder extends RecordingWorkload {
  private phase = '';

  protected request(slot: Slot): { request: object; id: string } {
    this.phase ||= this.args.round.endsWith('.warmup') ? 'w' : 'm';
    const id = `${this.args.runId}-${slot.user}-c${this.phase}${slot.sent}`;
    const declaration = { id, packageId: this.args.packageId, content: 'Table 4 add order (Caliper)', seller: this.args.seller };
    const terms = { ...orderTerms(), salt: randomBytes(16).toString('hex') };
    return {
      id,
      request: {
        contractId: this.args.chaincode,
        channel: this.args.channel,
        contractFunction: DECLARE_ORDER,
        contractArguments: [JSON.stringify(declaration)],
        transientMap: { terms: JSON.stringify(terms) },
        endorsingOrganizations: [...new Set([this.args.exchangeMspId, this.args.userMspId])],
        invokerMspId: this.args.userMspId,
        invokerIdentity: slot.user,
        readOnly: false,
      },
    };
  }
}

export function createWorkloadModule(): AddOrder {
  return new AddOrder();
}
