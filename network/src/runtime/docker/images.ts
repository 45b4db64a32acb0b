import { createHash, type Hash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { FABRIC, FABRIC_CA, type Toolchain } from '../../toolchain';
import { CommandError, run } from '../../util/exec';
import { tail } from '../../util/tail';
import { docker, DockerCommandError, DockerError } from './engine';
import { ensureSystemTools } from './system-tools';

/** What runs in a container of the deployment; one image each. */
export const IMAGE_ROLES = ['fabric-peer', 'fabric-orderer', 'fabric-ca', 'node', 'nginx', 'prometheus'] as const;
export type ImageRole = (typeof IMAGE_ROLES)[number];

/** Selects the official images, pulled from a registry: Hyperledger's for Fabric. */
export const OFFICIAL_IMAGE_PREFIX = 'hyperledger/';
/** Selects the images buildImages() makes here, with no registry. */
export const LOCAL_IMAGE_PREFIX = 'energysale/';

/** An image could not be built, or a prefix does not make valid image names. */
export class ImageBuildError extends DockerError {
  override readonly name: string = 'ImageBuildError';
}

/**
 * The base every local image starts from: a minimal Debian with what the non-Fabric roles run,
 * all from Debian's packages. One base for all roles, so its layer is stored once. tzdata because
 * the official Fabric images carry it (TZ works in them).
 */
export interface BaseRecipe {
  readonly suite: string;
  readonly variant: string;
  readonly packages: readonly string[];
  /** Removed from the root filesystem before it is imported. */
  readonly prune: readonly string[];
}

export const BASE: BaseRecipe = {
  suite: 'bookworm',
  variant: 'minbase',
  packages: [
    'ca-certificates',
    'curl',
    'tzdata',
    'nginx-light',
    'prometheus',
    'prometheus-node-exporter',
  ],
  prune: [
    // Caches apt rebuilds on demand.
    'var/cache/apt/archives',
    'var/cache/apt/pkgcache.bin',
    'var/cache/apt/srcpkgcache.bin',
    'var/lib/apt/lists',
    // What Debian's slim images leave out too.
    'usr/share/man',
    'usr/share/locale',
    // 212 MB of per-zone sources that Prometheus's classic UI never loads: it uses the bundled
    // moment-timezone-with-data.min.js beside them. Without this the base is twice the size.
    'usr/share/javascript/moment-timezone/data',
  ],
};

/**
 * Versions of the Debian bookworm packages in the base, which name the local images and select the
 * official image of the same release; the live test checks that the built images report them.
 */
export const DEBIAN_PACKAGES = { nginx: '1.22.1', prometheus: '2.42.0' } as const;

/** Where Hyperledger publishes no image, the official image of the same software and release. */
function officialElsewhere(role: ImageRole): string | undefined {
  switch (role) {
    case 'node':
      return `node:${process.versions.node}-bookworm-slim`;
    case 'nginx':
      return `nginx:${DEBIAN_PACKAGES.nginx}`;
    case 'prometheus':
      return `prom/prometheus:v${DEBIAN_PACKAGES.prometheus}`;
    default:
      return undefined;
  }
}

function tagOf(role: ImageRole): string {
  switch (role) {
    case 'fabric-peer':
    case 'fabric-orderer':
      return FABRIC.version;
    case 'fabric-ca':
      return FABRIC_CA.version;
    case 'node':
      // The local image carries this very binary (process.execPath).
      return process.versions.node;
    case 'nginx':
    case 'prometheus':
      return DEBIAN_PACKAGES[role];
  }
}

/** One or more lower-case path components, each followed by '/'; the first may be a registry host:port. */
const PREFIX_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)+$/;

/**
 * The image of a role. With the official prefix: Hyperledger's Fabric images at the pinned versions,
 * and for the roles Hyperledger has no image for, the official node, nginx and prom/prometheus images
 * (node-exporter has an official image of its own, which this mapping does not name). Those all
 * need a registry; only the local set (any other prefix) runs on our machines.
 */
export function imageName(role: ImageRole, prefix: string = OFFICIAL_IMAGE_PREFIX): string {
  checkPrefix(prefix);
  const elsewhere = prefix === OFFICIAL_IMAGE_PREFIX ? officialElsewhere(role) : undefined;
  return elsewhere ?? `${prefix}${role}:${tagOf(role)}`;
}

function checkPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new ImageBuildError(`image prefix ${JSON.stringify(prefix)} is not lower-case path components ending in '/', e.g. ${LOCAL_IMAGE_PREFIX}`);
  }
}

/** Names a base by what shapes it (not by package order), so a changed recipe never reuses an old root filesystem. */
export function baseKey(recipe: BaseRecipe = BASE, arch: string = process.arch): string {
  const shape = { ...recipe, packages: [...recipe.packages].sort(), prune: [...recipe.prune].sort(), arch };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 12);
}

export function baseImageName(prefix: string, recipe: BaseRecipe = BASE): string {
  checkPrefix(prefix);
  return `${prefix}base:${recipe.suite}-${baseKey(recipe)}`;
}

/** A role's image: host files and directories put into the build context (by their name there), and the Dockerfile after FROM. */
interface Recipe {
  readonly context: Readonly<Record<string, string>>;
  readonly instructions: readonly string[];
}

const FABRIC_CFG_PATH = '/etc/hyperledger/fabric';

/**
 * Mirrors the official images' Dockerfiles (images/peer, images/orderer of Fabric, images/fabric-ca
 * of Fabric CA; nginx's and Prometheus's own) with the binaries the setup step built. Their VOLUME
 * lines are left out: each run would leave an anonymous volume behind, and the deployment mounts what
 * it keeps. So are their EXPOSE lines: the containers use the host's network, on the model's ports. The orderer image adds osnadmin, which joins orderers to the channel.
 */
function recipe(role: ImageRole, toolchain: Toolchain): Recipe {
  const sample = (name: string): string => path.join(toolchain.sampleConfigDir, name);
  const fabricEnv = `ENV FABRIC_CFG_PATH=${FABRIC_CFG_PATH} FABRIC_VER=${FABRIC.version}`;
  switch (role) {
    case 'fabric-peer':
      return {
        context: {
          peer: toolchain.bin.peer,
          msp: sample('msp'),
          'core.yaml': sample('core.yaml'),
          // core.yaml's chaincode.externalBuilders names this directory.
          'ccaas-builder': path.join(toolchain.externalBuilderDir, 'bin'),
        },
        instructions: [
          fabricEnv,
          'COPY peer /usr/local/bin/',
          `COPY msp ${FABRIC_CFG_PATH}/msp`,
          `COPY core.yaml ${FABRIC_CFG_PATH}/`,
          'COPY ccaas-builder /opt/hyperledger/ccaas_builder/bin',
          'CMD ["peer", "node", "start"]',
        ],
      };
    case 'fabric-orderer':
      return {
        context: {
          orderer: toolchain.bin.orderer,
          osnadmin: toolchain.bin.osnadmin,
          msp: sample('msp'),
          'orderer.yaml': sample('orderer.yaml'),
          'configtx.yaml': sample('configtx.yaml'),
        },
        instructions: [
          fabricEnv,
          'COPY orderer osnadmin /usr/local/bin/',
          `COPY msp ${FABRIC_CFG_PATH}/msp`,
          `COPY orderer.yaml configtx.yaml ${FABRIC_CFG_PATH}/`,
          'CMD ["orderer", "start"]',
        ],
      };
    case 'fabric-ca':
      return {
        context: { 'fabric-ca-server': toolchain.bin.fabricCaServer, 'fabric-ca-client': toolchain.bin.fabricCaClient },
        instructions: [
          'ENV FABRIC_CA_HOME=/etc/hyperledger/fabric-ca-server',
          'COPY fabric-ca-server fabric-ca-client /usr/local/bin/',
          'CMD ["fabric-ca-server", "start", "-b", "admin:adminpw"]',
        ],
      };
    case 'node':
      return {
        context: { node: process.execPath },
        instructions: [`ENV NODE_VERSION=${process.versions.node}`, 'COPY node /usr/local/bin/node', 'CMD ["node"]'],
      };
    case 'nginx':
      return {
        context: {},
        instructions: [
          // As the official image: logs go to the container's output.
          'RUN ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log',
          'STOPSIGNAL SIGQUIT',
          'CMD ["nginx", "-g", "daemon off;"]',
        ],
      };
    case 'prometheus':
      // node-exporter runs from the same image with another command. Root, unlike the official image.
      // (The own-process exporter is no container: it runs natively, monitoring/own-exporter.ts.)
      return {
        context: {},
        instructions: [
          'WORKDIR /var/lib/prometheus',
          'CMD ["prometheus", "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/var/lib/prometheus/metrics2"]',
        ],
      };
  }
}

/** The Dockerfile of a role's image on the given base. */
export function dockerfile(role: ImageRole, base: string, toolchain: Toolchain): string {
  return [`FROM ${base}`, ...recipe(role, toolchain).instructions].join('\n') + '\n';
}

/** Set on every local image: the hash of its Dockerfile and of every file copied into it. */
export const CONTENT_LABEL = 'energysale.content-hash';

export interface BuildOptions {
  /** Default LOCAL_IMAGE_PREFIX. The official prefix is refused: a local build must not pass for Hyperledger's image. */
  readonly prefix?: string;
}

/**
 * Builds the local image set with no registry: a Debian base made by debootstrap (its root
 * filesystem cached under the toolchain's cache directory), then each role's image from it with the
 * pinned binaries the setup step built. An image whose content hash label matches is kept, so a
 * second call only hashes files and inspects images. Returns each role's image reference.
 */
export async function buildImages(
  toolchain: Toolchain,
  log: (line: string) => void,
  options: BuildOptions = {},
): Promise<ReadonlyMap<ImageRole, string>> {
  const prefix = options.prefix ?? LOCAL_IMAGE_PREFIX;
  if (prefix === OFFICIAL_IMAGE_PREFIX) {
    throw new ImageBuildError(`${OFFICIAL_IMAGE_PREFIX} names the official images; build the local ones under another prefix (${LOCAL_IMAGE_PREFIX})`);
  }
  const base = baseImageName(prefix);
  const images = new Map<ImageRole, string>();
  let baseReady = false;
  for (const role of IMAGE_ROLES) {
    const reference = imageName(role, prefix);
    images.set(role, reference);
    const text = dockerfile(role, base, toolchain);
    const { context } = recipe(role, toolchain);
    const hash = await contentHash(text, context);
    const present = await inspectImage(reference);
    if (present?.contentHash === hash) {
      log(`${reference} is up to date`);
      continue;
    }
    if (!baseReady) await ensureBaseImage(base, toolchain.cacheDir, log);
    baseReady = true;
    await buildRoleImage(reference, text, context, hash, log);
    if (present !== undefined) await removeIfUntagged(present.id, log);
  }
  return images;
}

async function buildRoleImage(
  reference: string,
  text: string,
  context: Readonly<Record<string, string>>,
  hash: string,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  log(`building ${reference}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'energysale-image-'));
  try {
    for (const [name, source] of Object.entries(context)) await stage(source, path.join(dir, name));
    await writeFile(path.join(dir, 'Dockerfile'), text);
    await docker(['build', '--force-rm', '--label', `${CONTENT_LABEL}=${hash}`, '--tag', reference, dir], {
      onLine: (line) => {
        if (line.startsWith('Step ')) log(`  ${line}`);
      },
    });
  } catch (error) {
    throw new ImageBuildError(`building ${reference} failed`, { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  log(`built ${reference} in ${seconds(started)}`);
}

/**
 * Copies a file or directory into the build context, owner-writable: the module cache's sampleconfig
 * is read-only, and COPY keeps modes.
 */
async function stage(source: string, target: string): Promise<void> {
  await cp(source, target, { recursive: true, dereference: true });
  for (const file of [target, ...(await nested(target))]) {
    const { mode } = await stat(file);
    await chmod(file, mode | 0o200);
  }
}

async function nested(dir: string): Promise<string[]> {
  if (!(await stat(dir)).isDirectory()) return [];
  return (await readdir(dir, { recursive: true })).map((entry) => path.join(dir, entry));
}

/** Hash of a Dockerfile and of the context it copies from: names, contents and the executable bit. */
async function contentHash(text: string, context: Readonly<Record<string, string>>): Promise<string> {
  const hash = createHash('sha256').update(text);
  for (const name of Object.keys(context).sort()) {
    const source = context[name];
    if (source !== undefined) await hashTree(hash, name, source);
  }
  return hash.digest('hex');
}

async function hashTree(hash: Hash, name: string, file: string): Promise<void> {
  const info = await stat(file);
  if (info.isDirectory()) {
    hash.update(`\0dir\0${name}`);
    for (const entry of (await readdir(file)).sort()) await hashTree(hash, `${name}/${entry}`, path.join(file, entry));
    return;
  }
  hash.update(`\0file\0${name}\0${info.mode & 0o111 ? 'x' : '-'}\0`);
  hash.update(await readFile(file));
}

/** An image's id and content hash label ('' on an image without one), or undefined when there is no such image. */
async function inspectImage(reference: string): Promise<{ id: string; contentHash: string } | undefined> {
  try {
    // `with`: an imported image (the base) has no labels at all, and index of nil fails.
    const format = `{{.Id}} {{with .Config.Labels}}{{index . "${CONTENT_LABEL}"}}{{end}}`;
    const [id = '', contentHash = ''] = (await docker(['image', 'inspect', '--format', format, reference])).trim().split(' ');
    return { id, contentHash: contentHash === '<no value>' ? '' : contentHash };
  } catch (error) {
    if (error instanceof DockerCommandError && /no such image/i.test(error.stderr)) return undefined;
    throw error;
  }
}

/**
 * The image a tag left keeps its layers (and an old base's) until removed; one that still has another
 * tag is someone's, and stays.
 */
async function removeIfUntagged(id: string, log: (line: string) => void): Promise<void> {
  if ((await docker(['image', 'inspect', '--format', '{{len .RepoTags}}', id])).trim() === '0') await removeImage(id, log);
}

/** Removes a superseded image or tag; one a container still uses is kept, and says so. */
async function removeImage(image: string, log: (line: string) => void): Promise<void> {
  try {
    await docker(['image', 'rm', image]);
  } catch (error) {
    if (!(error instanceof DockerCommandError)) throw error;
    log(`kept the superseded image ${image}: ${error.stderr.trim()}`);
  }
}

/** As Debian's official image sets it: an imported filesystem has no image configuration. */
const IMAGE_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Imports the base from its cached root filesystem, made by debootstrap first if it is not there. */
async function ensureBaseImage(reference: string, cacheDir: string, log: (line: string) => void): Promise<void> {
  if ((await inspectImage(reference)) !== undefined) return;
  const tarball = path.join(cacheDir, 'images', `rootfs-${BASE.suite}-${baseKey()}.tar`);
  const cached = await stat(tarball).then(
    () => true,
    () => false,
  );
  if (!cached) await bootstrapRootfs(tarball, log);
  log(`importing ${tarball} as ${reference}`);
  const started = Date.now();
  try {
    await docker(['import', '--change', `ENV ${IMAGE_PATH}`, '--change', 'CMD ["bash"]', tarball, reference]);
  } catch (error) {
    throw new ImageBuildError(`importing ${tarball} as ${reference} failed`, { cause: error });
  }
  log(`imported ${reference} in ${seconds(started)}`);
  // Untagged, an earlier base goes with the last image built on it.
  const repository = reference.slice(0, reference.lastIndexOf(':'));
  const tags = (await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository])).split('\n');
  for (const tag of tags.filter((t) => t !== '' && t !== reference)) await removeImage(tag, log);
}

const DEBOOTSTRAP_TIMEOUT_MS = 30 * 60_000;

/** Lines of debootstrap's progress worth showing: stages and problems, not each package. */
const DEBOOTSTRAP_PROGRESS = /^(?:[WE]: |I: (?:Resolving|Installing|Unpacking the|Configuring the|Base system))/;

/** debootstrap of BASE into a scratch directory beside the cache, tarred into `tarball` (written whole or not at all). */
async function bootstrapRootfs(tarball: string, log: (line: string) => void): Promise<void> {
  await ensureSystemTools(['debootstrap'], log);
  if (process.getuid?.() !== 0) {
    throw new ImageBuildError(`making the base root filesystem (debootstrap) needs root; ${tarball} is not there yet`);
  }
  const dir = path.dirname(tarball);
  await mkdir(dir, { recursive: true });
  const mirror = debianMirror(BASE.suite, await aptSources());
  const rootfs = await mkdtemp(path.join(dir, '.rootfs-'));
  const partial = `${tarball}.${process.pid}.partial`;
  const started = Date.now();
  log(`debootstrap ${BASE.suite} (${BASE.variant}, with ${BASE.packages.join(', ')}) from ${mirror} (first time: a few minutes)`);
  try {
    await run(
      'debootstrap',
      [`--variant=${BASE.variant}`, `--include=${BASE.packages.join(',')}`, BASE.suite, rootfs, mirror],
      {
        timeoutMs: DEBOOTSTRAP_TIMEOUT_MS,
        onLine: (line) => {
          if (DEBOOTSTRAP_PROGRESS.test(line)) log(`  ${line}`);
        },
      },
    );
    for (const entry of BASE.prune) await rm(path.join(rootfs, entry), { recursive: true, force: true });
    await run('tar', ['--numeric-owner', '-C', rootfs, '-cf', partial, '.']);
    await rename(partial, tarball);
  } catch (error) {
    const detail = error instanceof CommandError ? `\n${await tail(path.join(rootfs, 'debootstrap', 'debootstrap.log'), 15)}` : '';
    throw new ImageBuildError(`making the ${BASE.suite} root filesystem in ${rootfs} failed${detail}`, { cause: error });
  } finally {
    await unmountUnder(rootfs);
    await rm(rootfs, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
  log(`debootstrap and tar took ${seconds(started)}; cached in ${tarball}`);
  await pruneStaleRootfs(tarball, log);
}

/**
 * A debootstrap that was killed leaves /proc, /sys (and in containers a bind of /dev) mounted in
 * the target: unmounted before the directory is removed, so rm never walks into the host's.
 */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const points = mounts
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' ') ?? '')
    .filter((point) => point.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const point of points) await run('umount', ['--lazy', point]);
}

/** Drops root filesystems of earlier recipes: ~0.5 GB each. */
async function pruneStaleRootfs(current: string, log: (line: string) => void): Promise<void> {
  const dir = path.dirname(current);
  for (const entry of await readdir(dir)) {
    const file = path.join(dir, entry);
    if (file === current || !/^rootfs-.*\.tar$/.test(entry)) continue;
    log(`removing the stale root filesystem ${file}`);
    await rm(file, { force: true });
  }
}

const APT_SOURCES = '/etc/apt/sources.list';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

async function aptSources(): Promise<string[]> {
  const files = [APT_SOURCES];
  const listDir = `${APT_SOURCES}.d`;
  for (const entry of (await readdir(listDir).catch(() => [])).sort()) {
    if (/\.(list|sources)$/.test(entry)) files.push(path.join(listDir, entry));
  }
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
  return texts.filter((text) => text !== '');
}

/**
 * The mirror this machine's apt uses for `suite` (one-line sources.list entries or deb822 .sources
 * stanzas), so debootstrap fetches from where apt already can; Debian's redirector otherwise.
 */
export function debianMirror(suite: string, sources: readonly string[]): string {
  for (const text of sources) {
    for (const entry of [...oneLineEntries(text), ...deb822Entries(text)]) {
      if (entry.suites.includes(suite)) return entry.uri.replace(/\/+$/, '');
    }
  }
  return DEFAULT_MIRROR;
}

interface SourceEntry {
  readonly uri: string;
  readonly suites: readonly string[];
}

function oneLineEntries(text: string): SourceEntry[] {
  return text.split('\n').flatMap((line) => {
    const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    return match?.[1] !== undefined && match[2] !== undefined ? [{ uri: match[1], suites: [match[2]] }] : [];
  });
}

function deb822Entries(text: string): SourceEntry[] {
  return text.split(/\n\s*\n/).flatMap((stanza) => {
    const field = (name: string): string[] => {
      const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(stanza);
      return match?.[1]?.trim().split(/\s+/) ?? [];
    };
    const enabled = field('Enabled')[0]?.toLowerCase() !== 'no';
    const uri = field('URIs')[0];
    if (!enabled || uri === undefined || !field('Types').includes('deb')) return [];
    return [{ uri, suites: field('Suites') }];
  });
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
