/** What other workspaces (bench, dashboards) use of the service: the app, its tokens, the tier runtime, and its Fabric client and calls (the benchmark's direct gateway mode). */
export { buildApp } from './app';
export { LATENCY_BUCKETS, SERVICE_METRIC, SERVICE_PROCESS_PREFIX } from './plugins/metrics';
export { TokenIssuer } from './auth/tokens';
export { startServiceTier, stopServiceTier, type ServiceTierOptions, type StartedServiceTier } from './runtime';
export { FabricClient, type Invocation } from './fabric/client';
export { nativeSigner } from './fabric/signer';
export { loadIdentity, type UserIdentity } from './fabric/identities';
export { declareOrderCall, readOrderCall, type Call, type OrderDeclaration, type TradeTerms } from './fabric/calls';
export { classify } from './errors';
