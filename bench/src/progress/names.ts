/*
 * The names of the load generators' metrics, as Prometheus scrapes them: the harness's own progress
 * metrics (this process, job "harness") and vegeta's `-prometheus-addr` endpoint (job "vegeta").
 * The recording rules and dashboards (dashboards/) query these names.
 */

/**
 * The harness's progress metrics, in k6's vocabulary (http_reqs, http_req_duration, vus, checks,
 * iterations). Labels: `scenario` on every series; reqs {status} (HTTP status, "0" when no response
 * came); checks {check, result="pass"|"fail"}; phase {phase="warmup"|"measure"}.
 */
export const HARNESS_METRIC = {
  reqs: 'bench_http_reqs_total',
  duration: 'bench_http_req_duration_seconds',
  vus: 'bench_vus',
  checks: 'bench_checks_total',
  phase: 'bench_scenario_phase',
  /** One series while a run is in progress: {run, profile, commit}. */
  run: 'bench_run_info',
} as const;

/**
 * vegeta v12's lib/prom metrics; labels {method, url, status}. Not its request_fail_count: v12.13
 * creates that series on a failure without counting it (lib/prom/prom.go); failures are the
 * request_seconds observations of a status outside 2xx.
 */
export const VEGETA_METRIC = {
  duration: 'request_seconds',
  bytesIn: 'request_bytes_in',
  bytesOut: 'request_bytes_out',
} as const;
