export { dashboardsDir, LOAD_GENERATOR_JOBS, STANDING_JOBS, monitoringFiles, prometheusConfig, PROMETHEUS_JOB, RULE_FILES } from './config';
export { cpuPercentByGroupQuery, cpuPercentQuery, groupSelector, memoryPercentQuery, RESOURCE_SUBJECTS, type ResourceSubject } from './figures';
export { loadRegistryDir, LoadRegistrationError, readLoadRegistrations, registerLoad, type LoadRegistration, type LoadRegistrationHandle } from './load-registry';
export { OWN_PROCESS_METRIC, OwnExporter, type OwnProcessSource } from './own-exporter';
export { CHAIN_GROUPS, PROCESS_GROUPS, type ProcessGroup } from './own-processes';
export { PrometheusClient, PrometheusQueryError, type InstantSample, type RangeSeries, type ScrapeTarget } from './query';
export { MonitoringToolMissingError, monitoringDir, prometheusConfigPath, startMonitoring, stopMonitoring } from './stack';
