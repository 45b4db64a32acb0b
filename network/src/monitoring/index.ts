export { dashboardsDir, LOAD_GENERATOR_JOBS, STANDING_JOBS, monitoringFiles, prometheusConfig, PROMETHEUS_JOB, RULE_FILES } from './config';
export { cpuPercentByGroupQuery, cpuPercentQuery, groupSelector, memoryPercentQuery, RESOURCE_SUBJECTS, type ResourceSubject } from './figures';
export { loadRegistryDir, LoadRegistrationError, readLoadRegistrations, registerLoad, type LoadRegistration, type LoadRegistrationHandle } from './load-registry';
export { loadNode, OWN_PROCESS_METRIC, OwnExporter, ownRoots, type OwnProcessSource } from './own-exporter';
export { accountOwnProcesses, CHAIN_GROUPS, descendants, PROCESS_GROUPS, type GroupFigures, type ProcessGroup, type ProcessSnapshot } from './own-processes';
export { ProcSource } from './proc-source';
export { PrometheusClient, PrometheusQueryError, type InstantSample, type RangeSeries, type ScrapeTarget } from './query';
export { MonitoringToolMissingError, monitoringDir, prometheusConfigPath, startMonitoring, stopMonitoring } from './stack';
