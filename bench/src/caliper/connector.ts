/*
 * The Fabric connector Caliper loads (the network config's `caliper.blockchain` is this module's
 * path): Caliper 0.6's peer-gateway connector with the two things our network needs and it lacks.
 *
 * - Mutual TLS. Every peer requires a client certificate; PeerGateway builds its credentials from
 *   the TLS root alone (`createSsl(root)`) and refuses `mutualTls`. Here the gRPC client of a peer
 *   presents the org's TLS client identity (`clientTls` of the org in the network config).
 * - Endorsing organisations. A write with private terms must name them, or the gateway keeps the
 *   transient data to the collection's members and the endorsement policy (the exchange too) is
 *   never met. A request may carry `endorsingOrganizations`, passed on to the proposal.
 *
 * - Signing. Caliper's gateways sign with the gateway client's JavaScript ECDSA
 *   (signers.newPrivateKeySigner): at Table 4's order query the Caliper process took 44 % of the
 *   machine (paper run 2026-12-06T2213). Here they sign as the retail service does, in node:crypto
 *   (service/src/fabric/signer.ts).
 *
 * Everything else (identities, contracts, the TxStatus Caliper counts) is Caliper's.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

import * as grpc from '@grpc/grpc-js';
import { CaliperUtils, ConfigUtil, type TxStatus } from '@hyperledger/caliper-core';
import ConnectorConfigurationFactory from '@hyperledger/caliper-fabric/lib/connector-configuration/ConnectorConfigurationFactory';
import PeerGateway from '@hyperledger/caliper-fabric/lib/connector-versions/peer-gateway/PeerGateway';
import WalletFacadeFactory from '@hyperledger/caliper-fabric/lib/connector-versions/peer-gateway/WalletFacadeFactory';

import { connect, type Gateway } from '@hyperledger/fabric-gateway';
import { nativeSigner } from '@energysale/service';

import type { CaliperNetworkConfig, ClientTls } from './network-config';

/** Caliper's request settings plus the orgs whose peers must endorse. */
export type EndorsedRequest = Parameters<PeerGateway['_submitOrEvaluateTransaction']>[0] & { endorsingOrganizations?: string[] };

const logger = CaliperUtils.getLogger('energysale-connector');

export class MutualTlsPeerGateway extends PeerGateway {
  constructor(
    configuration: unknown,
    workerIndex: number,
    private readonly clientTls: ReadonlyMap<string, ClientTls>,
  ) {
    super(configuration, workerIndex, 'fabric');
  }

  protected override async _createClientForPeer(mspId: string, peer: string): Promise<grpc.Client> {
    const existing = this.clients.get(peer);
    if (existing) return existing;
    const tls = this.clientTls.get(mspId);
    if (!tls) throw new Error(`no TLS client identity for ${mspId} in the network config`);
    const profile = await this.connectorConfiguration.getConnectionProfileDefinitionForOrganization(mspId);
    if (!profile.isTLSRequiredForEndpoint(peer)) throw new Error(`${peer}: every peer of the network requires TLS (grpcs://)`);
    const options = { ...profile.getGrpcOptionsForPeer(peer) };
    // Certificates name the node; the endpoint is an address, so verify the name rather than the IP.
    const target = options['ssl-target-name-override'];
    delete options['ssl-target-name-override'];
    if (typeof target === 'string') options['grpc.ssl_target_name_override'] = target;
    const credentials = grpc.credentials.createSsl(Buffer.from(await profile.getTlsCACertsForPeer(peer)), readFileSync(tls.keyPath), readFileSync(tls.certPath));
    const client = new grpc.Client(profile.getGrpcEndPointForPeer(peer), credentials, options);
    this.clients.set(peer, client);
    return client;
  }

  /** Caliper's gateway of one identity (as PeerGateway makes it), its proposals signed in node:crypto rather than in JavaScript. */
  protected override async _createGatewayWithIdentity(mspId: string, aliasName: string, walletFacade: PeerGateway.WalletFacade, peer: string): Promise<Gateway> {
    const wallet = await walletFacade.export(aliasName);
    const timeout = PeerGateway._configDefaultTimeout;
    return connect({
      client: await this._createClientForPeer(mspId, peer),
      identity: { mspId: wallet.mspid, credentials: Buffer.from(wallet.certificate) },
      ...nativeSigner(createPrivateKey(wallet.privateKey)),
      evaluateOptions: timeout,
      endorseOptions: timeout,
      submitOptions: timeout,
      commitStatusOptions: timeout,
    });
  }

  protected override async _submitOrEvaluateTransaction(settings: EndorsedRequest, isSubmit: boolean): Promise<TxStatus> {
    const orgs = settings.endorsingOrganizations;
    if (!orgs || orgs.length === 0) return super._submitOrEvaluateTransaction(settings, isSubmit);
    // Caliper's own submit path, with a contract whose proposals name the endorsing orgs.
    const getContract = this._getContractForIdentityOnChannelWithChaincodeID.bind(this);
    const scoped = Object.create(this, {
      _getContractForIdentityOnChannelWithChaincodeID: {
        value: async (...args: Parameters<typeof getContract>) => {
          const contract = await getContract(...args);
          return {
            newProposal: (name: string, options: object) => contract.newProposal(name, { ...options, endorsingOrganizations: orgs }),
          };
        },
      },
    }) as this;
    return super._submitOrEvaluateTransaction.call(scoped, settings, isSubmit);
  }
}

/** Caliper's connector factory entry point (`caliper.blockchain` names this module). */
export async function ConnectorFactory(workerIndex: number): Promise<MutualTlsPeerGateway> {
  const path = CaliperUtils.resolvePath(String(ConfigUtil.get(ConfigUtil.keys.NetworkConfig)));
  const config = JSON.parse(readFileSync(path, 'utf8')) as CaliperNetworkConfig;
  const clientTls = new Map(config.organizations.flatMap((o) => (o.clientTls ? [[o.mspid, o.clientTls] as const] : [])));
  const configuration = await new ConnectorConfigurationFactory().create(path, new WalletFacadeFactory());
  logger.info(`peer-gateway connector with mutual TLS (${[...clientTls.keys()].join(', ')}) for worker ${workerIndex}`);
  return new MutualTlsPeerGateway(configuration, workerIndex, clientTls);
}
