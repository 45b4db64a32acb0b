import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FABRIC, FABRIC_CA, type Toolchain } from '../../toolchain';
import {
  BASE,
  baseImageName,
  baseKey,
  buildImages,
  debianMirror,
  dockerfile,
  IMAGE_ROLES,
  ImageBuildError,
  imageName,
  LOCAL_IMAGE_PREFIX,
  OFFICIAL_IMAGE_PREFIX,
} from './images';

/** Paths only: nothing here reads them. */
const toolchain: Toolchain = {
  cacheDir: '/cache',
  binDir: '/cache/bin',
  bin: {
    peer: '/cache/bin/peer',
    orderer: '/cache/bin/orderer',
    configtxgen: '/cache/bin/configtxgen',
    configtxlator: '/cache/bin/configtxlator',
    osnadmin: '/cache/bin/osnadmin',
    fabricCaServer: '/cache/bin/fabric-ca-server',
    fabricCaClient: '/cache/bin/fabric-ca-client',
    vegeta: '/cache/bin/vegeta',
  },
  sampleConfigDir: '/cache/sampleconfig',
  externalBuilderDir: '/cache/ccaas-builder',
  versions: { fabric: FABRIC.version, fabricCa: FABRIC_CA.version, vegeta: '0' },
};

const base = 'energysale/base:bookworm-0123456789ab';
const lines = (role: (typeof IMAGE_ROLES)[number]): string[] => dockerfile(role, base, toolchain).trimEnd().split('\n');

describe('image names', () => {
  it('are the official images at the pinned versions with the official prefix (the default)', () => {
    const node = process.versions.node;
    assert.deepEqual(
      IMAGE_ROLES.map((role) => imageName(role)),
      [
        `hyperledger/fabric-peer:${FABRIC.version}`,
        `hyperledger/fabric-orderer:${FABRIC.version}`,
        `hyperledger/fabric-ca:${FABRIC_CA.version}`,
        `node:${node}-bookworm-slim`,
        'nginx:1.22.1',
        'prom/prometheus:v2.42.0',
      ],
    );
    assert.equal(imageName('fabric-peer', OFFICIAL_IMAGE_PREFIX), 'hyperledger/fabric-peer:2.5.9');
  });

  it('are ours, one repository per role, with the local prefix', () => {
    assert.deepEqual(
      IMAGE_ROLES.map((role) => imageName(role, LOCAL_IMAGE_PREFIX)),
      [
        'energysale/fabric-peer:2.5.9',
        `energysale/fabric-orderer:2.5.9`,
        `energysale/fabric-ca:${FABRIC_CA.version}`,
        `energysale/node:${process.versions.node}`,
        'energysale/nginx:1.22.1',
        'energysale/prometheus:2.42.0',
      ],
    );
    assert.equal(imageName('fabric-ca', 'registry.local:5000/team/'), `registry.local:5000/team/fabric-ca:${FABRIC_CA.version}`);
  });

  it('refuse a prefix that does not make a valid reference', () => {
    for (const prefix of ['', 'energysale', 'EnergySale/', 'a//', '/x/']) {
      assert.throws(() => imageName('node', prefix), ImageBuildError, prefix);
    }
  });

  it('name the base by its recipe', () => {
    assert.match(baseImageName(LOCAL_IMAGE_PREFIX), /^energysale\/base:bookworm-[0-9a-f]{12}$/);
  });

  it('refuse building local images under the official prefix', async () => {
    await assert.rejects(buildImages(toolchain, () => undefined, { prefix: OFFICIAL_IMAGE_PREFIX }), ImageBuildError);
  });
});

describe('Dockerfiles', () => {
  it('peer: as Fabric images/peer, from our base, with the built peer and ccaas builder', () => {
    assert.deepEqual(lines('fabric-peer'), [
      `FROM ${base}`,
      `ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric FABRIC_VER=${FABRIC.version}`,
      'COPY peer /usr/local/bin/',
      'COPY msp /etc/hyperledger/fabric/msp',
      'COPY core.yaml /etc/hyperledger/fabric/',
      'COPY ccaas-builder /opt/hyperledger/ccaas_builder/bin',
      'CMD ["peer", "node", "start"]',
    ]);
  });

  it('orderer: as Fabric images/orderer, plus osnadmin', () => {
    assert.deepEqual(lines('fabric-orderer'), [
      `FROM ${base}`,
      `ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric FABRIC_VER=${FABRIC.version}`,
      'COPY orderer osnadmin /usr/local/bin/',
      'COPY msp /etc/hyperledger/fabric/msp',
      'COPY orderer.yaml configtx.yaml /etc/hyperledger/fabric/',
      'CMD ["orderer", "start"]',
    ]);
  });

  it('CA: as Fabric CA images/fabric-ca', () => {
    assert.deepEqual(lines('fabric-ca'), [
      `FROM ${base}`,
      'ENV FABRIC_CA_HOME=/etc/hyperledger/fabric-ca-server',
      'COPY fabric-ca-server fabric-ca-client /usr/local/bin/',
      'CMD ["fabric-ca-server", "start", "-b", "admin:adminpw"]',
    ]);
  });

  it('node: the host Node.js binary', () => {
    assert.deepEqual(lines('node'), [`FROM ${base}`, `ENV NODE_VERSION=${process.versions.node}`, 'COPY node /usr/local/bin/node', 'CMD ["node"]']);
  });

  it('nginx and prometheus: Debian packages of the base, the official commands', () => {
    assert.equal(lines('nginx').at(-1), 'CMD ["nginx", "-g", "daemon off;"]');
    assert.ok(lines('nginx').includes('RUN ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log'));
    assert.equal(
      lines('prometheus').at(-1),
      'CMD ["prometheus", "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/var/lib/prometheus/metrics2"]',
    );
  });

  it('every one starts FROM the base and ends with a CMD', () => {
    for (const role of IMAGE_ROLES) {
      assert.equal(lines(role)[0], `FROM ${base}`, role);
      assert.match(lines(role).at(-1) ?? '', /^CMD \[/, role);
    }
  });
});

describe('the base root filesystem cache key', () => {
  it('changes with the package list, not with its order', () => {
    const key = baseKey(BASE);
    assert.match(key, /^[0-9a-f]{12}$/);
    assert.equal(baseKey({ ...BASE, packages: [...BASE.packages].reverse() }), key);
    assert.notEqual(baseKey({ ...BASE, packages: [...BASE.packages, 'jq'] }), key);
    assert.notEqual(baseKey({ ...BASE, packages: BASE.packages.filter((p) => p !== 'curl') }), key);
  });

  it('changes with the suite, variant, pruning and architecture', () => {
    const key = baseKey(BASE);
    assert.notEqual(baseKey({ ...BASE, suite: 'trixie' }), key);
    assert.notEqual(baseKey({ ...BASE, variant: 'buildd' }), key);
    assert.notEqual(baseKey({ ...BASE, prune: [] }), key);
    assert.notEqual(baseKey(BASE, 'arm64'), baseKey(BASE, 'x64'));
  });
});

describe('the Debian mirror', () => {
  it('comes from a deb822 stanza with the suite, not the security one nor a disabled one', () => {
    const sources = [
      'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\nEnabled: no\n',
      [
        'Types: deb',
        '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
        'URIs: http://deb.debian.org/debian/',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://deb.debian.org/debian-security',
        'Suites: bookworm-security',
      ].join('\n'),
    ];
    assert.equal(debianMirror('bookworm', sources), 'http://deb.debian.org/debian');
  });

  it('comes from a one-line entry, options and all', () => {
    const list = '# deb http://old.example/debian bookworm main\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] https://ftp.example.org/debian bookworm main contrib\n';
    assert.equal(debianMirror('bookworm', [list]), 'https://ftp.example.org/debian');
  });

  it("falls back to Debian's redirector", () => {
    assert.equal(debianMirror('bookworm', ['deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main']), 'http://deb.debian.org/debian');
    assert.equal(debianMirror('bookworm', []), 'http://deb.debian.org/debian');
  });
});
