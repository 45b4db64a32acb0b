// Debian packages the project runs and a fresh machine may lack, installed when missing (as root,
// or with sudo -n). Shared by the main job and the test runner.
import { spawnSync } from 'node:child_process';

/** name: what the check command finds; packages: what apt installs; after: commands run after it. */
const PACKAGES = {
  // The lb node's load balancer. The package starts a system nginx where the init system lets it:
  // stopped at once, the project runs its own.
  nginx: {
    check: 'command -v nginx || test -x /usr/sbin/nginx',
    packages: ['nginx-light'],
    after: ['(service nginx stop >/dev/null 2>&1 || true)', '(systemctl disable nginx >/dev/null 2>&1 || true)'],
  },
  // Screenshots of report.html; the fonts give it glyphs. Headless with --disable-gpu it needs none
  // of the recommended desktop packages.
  // Prometheus and node-exporter (resource figures, dashboards; the process figures come from our
  // own exporter, network/src/monitoring/own-exporter.ts). The packages enable
  // system services where the init system lets them: the project runs its own, on the model's
  // addresses, so the system ones are stopped and disabled.
  prometheus: {
    check: 'command -v prometheus && command -v promtool && command -v prometheus-node-exporter',
    packages: ['prometheus', 'prometheus-node-exporter'],
    after: ['prometheus', 'prometheus-node-exporter'].flatMap((s) => [`(service ${s} stop >/dev/null 2>&1 || true)`, `(systemctl disable ${s} >/dev/null 2>&1 || true)`]),
  },
  chromium: { check: 'test -x /usr/bin/chromium', packages: ['chromium', 'fonts-dejavu-core'], after: [] },
  // The container runtime (Debian's Docker engine and CLI). The package starts and enables a system
  // docker where the init system lets it: stopped and disabled, as network/src/runtime/docker/engine
  // starts its own dockerd with its log in the cache directory.
  docker: {
    check: '(command -v dockerd || test -x /usr/sbin/dockerd) && command -v docker && command -v docker-compose',
    packages: ['docker.io', 'docker-compose'],
    after: ['docker.socket', 'docker'].flatMap((s) => [`(systemctl stop ${s} >/dev/null 2>&1 || service ${s} stop >/dev/null 2>&1 || true)`, `(systemctl disable ${s} >/dev/null 2>&1 || true)`]),
  },
  // Builds the root filesystem of the offline images' base (network/src/runtime/docker/images).
  debootstrap: { check: 'command -v debootstrap || test -x /usr/sbin/debootstrap', packages: ['debootstrap'], after: [] },
};

/** Installs each named tool that is missing; returns the names that could not be installed. */
export function ensureSystemPackages(names, log = console.log) {
  const failed = [];
  for (const name of names) {
    const spec = PACKAGES[name];
    if (spawnSync('sh', ['-c', spec.check], { stdio: 'ignore' }).status === 0) continue;
    log(`=== installing ${name} (Debian: ${spec.packages.join(', ')})`);
    const install = [
      'export DEBIAN_FRONTEND=noninteractive',
      'apt-get update -q',
      `apt-get install -y -q --no-install-recommends ${spec.packages.join(' ')}`,
      ...spec.after,
    ].join(' && ');
    const [command, args] = process.getuid?.() === 0 ? ['sh', ['-c', install]] : ['sudo', ['-n', 'sh', '-c', install]];
    if (spawnSync(command, args, { stdio: 'inherit' }).status !== 0) failed.push(name);
  }
  return failed;
}
