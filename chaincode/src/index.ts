import { FilingContract } from './orders/filing';
import { OrderContract } from './orders/contract';
import { ParticipantContract } from './participants/contract';
import { PackageTemplateContract } from './templates/contract';

export { ContractError, type ErrorCode } from './errors';
export { MSP_OF_ROLE, ROLES, type Role } from './identity';
export { ACTIONS, OPERATOR_ROLE, sameState, TRANSITIONS, type Action, type Operator, type OrderState, type Transition } from './orders/lifecycle';
export { FilingContract, OrderContract, PackageTemplateContract, ParticipantContract };

/**
 * What `fabric-chaincode-node` loads from package.json `main`. The first contract is the default:
 * a transaction name without a `contract:` prefix goes to it.
 */
export const contracts = [PackageTemplateContract, ParticipantContract, OrderContract, FilingContract];
