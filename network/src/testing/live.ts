import { NativeNetwork } from '../runtime/native/network';
import { StateLayout } from '../state/layout';
import { energysale } from '../topology';

/**
 * The network the live tests share: the one `npm test` brought up (ENERGYSALE_STATE names its
 * state directory). Tests never start their own.
 */
export function sharedNetwork(): NativeNetwork {
  return new NativeNetwork(energysale, new StateLayout());
}

export const topology = energysale;
