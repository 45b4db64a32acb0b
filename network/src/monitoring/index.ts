export { CHAIN_GROUPS, dashboardsDir, LOAD_GENERATOR_JOBS, STANDING_JOBS, monitoringFiles, PROCESS_GROUPS, processExporterConfig, prometheusConfig, PROMETHEUS_JOB, RULE_FILES, type ProcessGroup } from './config';
export { cpuPercentQuery, memoryPercentQuery, RESOURCE_SUBJECTS, type ResourceSubject } from './figures';
export { PrometheusClient, PrometheusQueryError, type InstantSample, type RangeSeries, type ScrapeTarget } from './query';
export { MonitoringToolMissingError, monitoringDir, prometheusConfigPath, startMonitoring, stopMonitoring } from './stack';
