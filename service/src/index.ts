/** What other workspaces (bench, dashboards) use of the service: the app, its tokens, and the tier runtime. */
export { buildApp } from './app';
export { LATENCY_BUCKETS, SERVICE_METRIC, SERVICE_PROCESS_PREFIX } from './plugins/metrics';
export { TokenIssuer } from './auth/tokens';
export { startServiceTier, stopServiceTier, type StartedServiceTier } from './runtime';
