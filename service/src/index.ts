/** What other workspaces (bench) use of the service: the app, its tokens, and the tier runtime. */
export { buildApp } from './app';
export { TokenIssuer } from './auth/tokens';
export { startServiceTier, stopServiceTier, type StartedServiceTier } from './runtime';
