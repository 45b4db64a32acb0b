import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { FABRIC, FABRIC_CA, locateToolchain, type Toolchain } from '../../toolchain';
import { docker, ensureDockerEngine } from './engine';
import { buildImages, DEBIAN_PACKAGES, LOCAL_IMAGE_PREFIX, type ImageRole } from './images';

/*
 * Builds the local image set for real (Docker engine, debootstrap, the toolchain's binaries; no
 * Fabric network). From nothing this takes minutes (debootstrap); with the root filesystem cached
 * and the images present, seconds.
 */

/** Runs a command in a throwaway container with no network; stderr folded in (nginx -v writes there). */
async function runIn(image: string, command: string): Promise<string> {
  return docker(['run', '--rm', '--network', 'none', image, 'sh', '-c', `${command} 2>&1`]);
}

describe('offline images', () => {
  let toolchain: Toolchain;
  let images: ReadonlyMap<ImageRole, string>;
  const image = (role: ImageRole): string => {
    const reference = images.get(role);
    assert.ok(reference !== undefined, role);
    return reference;
  };

  before(async () => {
    toolchain = await locateToolchain();
    await ensureDockerEngine((line) => process.stderr.write(`${line}\n`), { cacheDir: toolchain.cacheDir });
  });

  it('are built (or found up to date) from the toolchain', { timeout: 45 * 60_000 }, async (t) => {
    const started = Date.now();
    images = await buildImages(
      toolchain,
      (line) => {
        t.diagnostic(line);
      },
      { prefix: LOCAL_IMAGE_PREFIX },
    );
    t.diagnostic(`buildImages took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(image('fabric-peer'), `energysale/fabric-peer:${FABRIC.version}`);
  });

  it('run the pinned Fabric and Fabric CA binaries', async () => {
    assert.match(await runIn(image('fabric-peer'), 'peer version'), new RegExp(`Version: ${FABRIC.version.replace(/\./g, '\\.')}\\b`));
    assert.match(await runIn(image('fabric-orderer'), 'orderer version'), new RegExp(`Version: ${FABRIC.version.replace(/\./g, '\\.')}\\b`));
    assert.match(await runIn(image('fabric-orderer'), 'osnadmin --help'), /channel/);
    assert.match(await runIn(image('fabric-ca'), 'fabric-ca-server version'), new RegExp(`Version: ${FABRIC_CA.version.replace(/\./g, '\\.')}\\b`));
    assert.match(await runIn(image('fabric-ca'), 'fabric-ca-client version'), new RegExp(`Version: ${FABRIC_CA.version.replace(/\./g, '\\.')}\\b`));
  });

  it('carry the official images’ configuration', async () => {
    const config = async (role: ImageRole): Promise<{ Env: string[]; Cmd: string[] }> =>
      JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', image(role)])) as { Env: string[]; Cmd: string[] };
    const peer = await config('fabric-peer');
    assert.ok(peer.Env.includes('FABRIC_CFG_PATH=/etc/hyperledger/fabric'));
    assert.deepEqual(peer.Cmd, ['peer', 'node', 'start']);
    assert.deepEqual((await config('fabric-orderer')).Cmd, ['orderer', 'start']);
    assert.deepEqual((await config('fabric-ca')).Cmd, ['fabric-ca-server', 'start', '-b', 'admin:adminpw']);
    const files = 'ls /etc/hyperledger/fabric/core.yaml /etc/hyperledger/fabric/msp/signcerts /opt/hyperledger/ccaas_builder/bin/detect /opt/hyperledger/ccaas_builder/bin/release';
    await runIn(image('fabric-peer'), files);
    await runIn(image('fabric-orderer'), 'ls /etc/hyperledger/fabric/orderer.yaml /etc/hyperledger/fabric/configtx.yaml /etc/hyperledger/fabric/msp/keystore');
  });

  it('run Node.js, nginx, Prometheus and node-exporter', async () => {
    assert.equal((await runIn(image('node'), 'node --version')).trim(), `v${process.versions.node}`);
    assert.match(await runIn(image('node'), `node -e "fetch('http://x').catch(() => console.log('ok'))"`), /ok/);
    assert.match(await runIn(image('nginx'), 'nginx -v'), new RegExp(`nginx/${DEBIAN_PACKAGES.nginx}`));
    assert.match(await runIn(image('nginx'), 'nginx -t'), /test is successful/);
    assert.match(await runIn(image('prometheus'), 'prometheus --version'), new RegExp(`version ${DEBIAN_PACKAGES.prometheus}`));
    assert.match(await runIn(image('prometheus'), 'prometheus-node-exporter --version'), /node_exporter, version/);
  });

  it('are not built again: a second call only checks', async (t) => {
    const log: string[] = [];
    const started = Date.now();
    const again = await buildImages(toolchain, (line) => log.push(line), { prefix: LOCAL_IMAGE_PREFIX });
    const elapsed = (Date.now() - started) / 1000;
    t.diagnostic(`second buildImages took ${elapsed.toFixed(1)} s`);
    assert.deepEqual([...again], [...images]);
    assert.deepEqual(
      log.filter((line) => /debootstrap|importing|building/.test(line)),
      [],
      'nothing is bootstrapped, imported or built',
    );
    assert.equal(log.filter((line) => line.endsWith(' is up to date')).length, images.size);
  });
});
