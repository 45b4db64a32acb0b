/** What other workspaces (service, bench) use of the network: the model, its state, identities, clients. */
export * from './topology';
export { StateLayout, stateRoot } from './state/layout';
export { APP_TLS_CLIENT, enrollUsers, identityOf, ORG_ADMIN, virtualUserNames } from './crypto/org-crypto';
export type { IdentityFiles } from './crypto/identity-files';
export { ChaincodeError, chaincodeErrorOf, CHAINCODE_ERROR_CODES, type ChaincodeErrorCode } from './client/errors';
export { peerClient } from './client/gateway';
export { NativeNetwork } from './runtime/native/network';
export { isRunning } from './runtime/native/supervisor';
export { readRuntime, type RuntimeChoice, type RuntimeKind } from './runtime/choice';
export { NodeStartError, PortInUseError, Supervisor, type ProcessKind, type ProcessRecord, type ProcessSpec } from './runtime/native/supervisor';
export { locateToolchain } from './toolchain';
export { tail } from './util/tail';
export { scrape, valueOf } from './fabric/metrics';
export { BatchSettingsError, byteSize, describeBatchSettings, durationNanos, readBatchSettings, updateBatchSettings, type BatchSettings, type BatchUpdate } from './channel/batch';
export { ChannelConfigError } from './channel/config';
export { currentTemplate } from './testing/fixtures';
export * from './monitoring';
export { DockerStatsError, DockerStatsSampler, readContainerStats, type ContainersSample, type ContainerUsage } from './runtime/docker/stats';
