import { NativeNetwork, stateTopology } from '../runtime/native/network';
import { StateLayout } from '../state/layout';

/**
 * The network the live tests share: the one `npm test` brought up (ENERGYSALE_STATE names its
 * state directory; ENERGYSALE_HOSTS the test network's own host addresses). Tests never start their own.
 */
export function sharedNetwork(): NativeNetwork {
  return new NativeNetwork(topology, new StateLayout());
}

/** The model as the shared network's state holds it: the test network's hosts at their addresses. */
export const topology = stateTopology().topology;
