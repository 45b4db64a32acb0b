import { join } from 'node:path';

import { HEALTH_PATH, loadBalancer, serviceInstances, type Topology } from '@energysale/network';

import { problemOf } from '../errors';
import { WRITE_WORST_CASE_MS } from '../fabric/client';

export interface NginxOptions {
  /** nginx's runtime directory: pid, logs and temp files stay inside it, so nginx needs nothing of /var or /run. */
  readonly prefix: string;
}

/** The upstream group of the retail service instances. */
export const UPSTREAM = 'retail';
/** Answered by nginx itself: the lb's own liveness, independent of the instances behind it. */
export const LB_HEALTH_PATH = HEALTH_PATH.lb;

/** Where nginx's own problem bodies are served from (internal: never reachable from outside). */
const LB_PROBLEM_PATH = '/lb/problem/';

/** The refusals nginx makes itself, answered as problem bodies: status, stable code, detail. */
const LB_PROBLEMS: readonly (readonly [number, string, string])[] = [
  [400, 'INVALID_REQUEST', 'the load balancer refused the request (malformed URL or headers)'],
  [413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than the load balancer accepts'],
  [414, 'URI_TOO_LONG', 'the URL is longer than the load balancer accepts'],
  [502, 'NO_INSTANCE', 'no retail service instance answered'],
  [504, 'INSTANCE_TIMEOUT', 'the retail service instance did not answer in time'],
];

/**
 * The complete nginx.conf of the paper's lb node: one upstream server per retail service instance
 * of the model, listening on the model's lb endpoint.
 */
export function nginxConfig(topology: Topology, options: NginxOptions): string {
  const instances = serviceInstances(topology);
  const lb = loadBalancer(topology);
  const at = (name: string): string => join(options.prefix, name);
  return `# The lb node (${lb.id}), generated from the topology model by service/src/lb/nginx.ts: do not edit.
daemon off;
worker_processes auto;
pid ${at('nginx.pid')};
error_log ${at('error.log')} notice;

events {
    worker_connections 4096;
}

http {
    server_tokens off;
    default_type application/octet-stream;

    # Every temp path, also of modules we do not use: nginx creates them all at start-up, and the
    # compiled-in ones are under /var/lib/nginx.
    client_body_temp_path ${at('client_body')};
    proxy_temp_path ${at('proxy')};
    fastcgi_temp_path ${at('fastcgi')};
    uwsgi_temp_path ${at('uwsgi')};
    scgi_temp_path ${at('scgi')};

    # A caller's request id is kept end to end; nginx makes one for callers that send none.
    map $http_x_request_id $retail_request_id {
        default $http_x_request_id;
        ''      $request_id;
    }

    log_format upstream '$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent '
                        'rid=$retail_request_id upstream=$upstream_addr upstream_status=$upstream_status '
                        'request_time=$request_time upstream_time=$upstream_response_time';
    access_log ${at('access.log')} upstream;

    upstream ${UPSTREAM} {
${instances.map((s) => `        server ${s.endpoint} max_fails=1 fail_timeout=5s;  # ${s.id}`).join('\n')}
        # Idle connections kept open to the instances, so a request does not pay a TCP handshake.
        keepalive 64;
        # Far shorter than the service's own keep-alive timeout (Fastify: 72 s), so nginx closes an idle
        # connection before the instance does and never sends on one being closed. Short also because
        # a draining instance exits only once its last connection closes: at most this long after its
        # last response when the lb is idle.
        keepalive_timeout 5s;
    }

    server {
        listen ${lb.endpoint};
        server_name ${lb.id};

        # nginx's own refusals (a URL it will not pass on, too large a body, no instance answering)
        # as problem bodies, like the service's; the instances' own answers pass through untouched.
${LB_PROBLEMS.map(([status, code, detail]) => `        error_page ${status} ${LB_PROBLEM_PATH}${status};
        location = ${LB_PROBLEM_PATH}${status} {
            internal;
            default_type application/problem+json;
            add_header X-Request-Id $retail_request_id always;
            return ${status} '${JSON.stringify(problemOf(status, code, detail))}';
        }`).join('\n')}

        location = ${LB_HEALTH_PATH} {
            access_log off;
            default_type application/json;
            return 200 '{"status":"ok"}';
        }

        location / {
            proxy_pass http://${UPSTREAM};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Request-Id $retail_request_id;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # One X-Request-Id in every response, the instance's echo replaced by the lb's (also on its own 502s).
            proxy_hide_header X-Request-Id;
            add_header X-Request-Id $retail_request_id always;

            # An instance that refuses the connection or does not answer in time is skipped and the
            # request tried on the next. nginx never retries a POST, PATCH or LOCK once it reached an
            # instance (that would need "non_idempotent", deliberately absent): a ledger write is
            # submitted at most once by the lb. A write that never reached an instance (connection
            # refused) is retried, which is safe.
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries ${instances.length};
            # Instances are on the LAN (here loopback): one that does not accept within 2 s is down.
            proxy_connect_timeout 2s;
            proxy_send_timeout 60s;
            # A write waits for the transaction to commit: seconds, more under load; at worst the
            # service's write deadlines (fabric/client.ts), and a margin.
            proxy_read_timeout ${String(Math.ceil(WRITE_WORST_CASE_MS / 1000) + 5)}s;
        }
    }
}
`;
}
