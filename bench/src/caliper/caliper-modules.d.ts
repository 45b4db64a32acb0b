/*
 * The few parts of Caliper 0.6 (plain JavaScript, no type declarations) that our connector and
 * workload modules use, typed as far as we rely on them.
 */

declare module '@hyperledger/caliper-core' {
  export class TxStatus {
    constructor(id?: string);
    SetID(id: string): void;
    Set(key: string, value: unknown): void;
    SetTimeCreate(ms: number): void;
    SetStatusSuccess(): void;
    SetStatusFail(): void;
    SetVerification(verified: boolean): void;
    SetResult(result: unknown): void;
    IsCommitted(): boolean;
    GetID(): string;
  }

  export interface ConnectorInterface {
    sendRequests(requests: object): Promise<TxStatus>;
  }

  export class WorkloadModuleBase {
    protected workerIndex: number;
    protected totalWorkers: number;
    protected roundIndex: number;
    protected roundArguments: unknown;
    protected sutAdapter: ConnectorInterface;
    initializeWorkloadModule(workerIndex: number, totalWorkers: number, roundIndex: number, roundArguments: unknown, sutAdapter: ConnectorInterface, sutContext: unknown): Promise<void>;
    submitTransaction(): Promise<void>;
    cleanupWorkloadModule(): Promise<void>;
  }

  export const ConfigUtil: {
    get(key: string, fallback?: unknown): unknown;
    keys: { NetworkConfig: string };
  };

  export const CaliperUtils: {
    getLogger(name: string): { info(message: string): void; error(message: string): void };
    resolvePath(path: string): string;
  };
}

declare module '@hyperledger/caliper-fabric/lib/connector-configuration/ConnectorConfigurationFactory' {
  class ConnectorConfigurationFactory {
    create(path: string, walletFacadeFactory: unknown): Promise<unknown>;
  }
  export = ConnectorConfigurationFactory;
}

declare module '@hyperledger/caliper-fabric/lib/connector-versions/peer-gateway/WalletFacadeFactory' {
  const WalletFacadeFactory: new () => object;
  export = WalletFacadeFactory;
}

declare module '@hyperledger/caliper-fabric/lib/connector-versions/peer-gateway/PeerGateway' {
  import type { Client } from '@grpc/grpc-js';
  import type { Contract, Gateway } from '@hyperledger/fabric-gateway';
  import type { TxStatus } from '@hyperledger/caliper-core';

  interface ConnectionProfileDefinition {
    getGrpcOptionsForPeer(peer: string): Record<string, unknown>;
    getGrpcEndPointForPeer(peer: string): string;
    isTLSRequiredForEndpoint(peer: string): boolean;
    getTlsCACertsForPeer(peer: string): Promise<string>;
  }

  interface ConnectorConfiguration {
    getConnectionProfileDefinitionForOrganization(mspId: string): Promise<ConnectionProfileDefinition>;
  }

  /** An identity of Caliper's wallet, as its peer-gateway connector exports it. */
  interface WalletFacade {
    export(aliasName: string): Promise<{ mspid: string; certificate: string; privateKey: string }>;
  }

  /** Caliper's request settings, as its workload modules pass them to `sendRequests`. */
  interface RequestSettings {
    contractId: string;
    contractFunction: string;
    contractArguments: string[];
    channel: string;
    invokerMspId?: string;
    invokerIdentity: string;
    transientMap?: Record<string, string>;
    readOnly?: boolean;
  }

  class PeerGateway {
    constructor(configuration: unknown, workerIndex: number, bcType: string);
    /** The deadline of each gateway call: Caliper's invoke-or-query timeout from now. */
    static readonly _configDefaultTimeout: () => { deadline: number };
    protected connectorConfiguration: ConnectorConfiguration;
    protected clients: Map<string, Client>;
    protected _createClientForPeer(mspId: string, peer: string): Promise<Client>;
    protected _createGatewayWithIdentity(mspId: string, aliasName: string, walletFacade: WalletFacade, peer: string): Promise<Gateway>;
    protected _getContractForIdentityOnChannelWithChaincodeID(mspId: string | undefined, identity: string, channel: string, contractId: string): Promise<Contract>;
    protected _submitOrEvaluateTransaction(settings: RequestSettings, isSubmit: boolean): Promise<TxStatus>;
  }
  namespace PeerGateway {
    export type { WalletFacade };
  }
  export = PeerGateway;
}
