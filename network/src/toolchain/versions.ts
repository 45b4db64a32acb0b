/**
 * The Fabric and Fabric CA releases the benchmark runs. The Go modules in network/toolchain/ pin the
 * same versions in their go.mod and go.sum; a test checks that they agree.
 *
 * Fabric 2.5.9 (June 2024) is the newest 2.5 patch the Go module proxy serves here, and only as a
 * pseudo-version of its tag commit: v2.5.10 to v2.5.16 are refused, as are version lists and @latest.
 * The later 2.5 patches fix, according to their release notes (hyperledger/fabric release_notes/):
 * - 2.5.10 (Sep 2024): dependency updates only.
 * - 2.5.11 (Jan 2025): gossip could not reconnect to a peer whose expired certificate it still held
 *   after that peer renewed it (#5122).
 * - 2.5.12 (Mar 2025): two peer panics in gossip, "index out of range [-1]" from an outdated math/rand
 *   use in gossip/algo (#5170) and a nil dereference in gossip/util on busy many-channel networks (#5138).
 * - 2.5.13 and 2.5.14 (Apr, Oct 2025): dependency and Go updates only.
 * - 2.5.15 (Feb 2026): Docker Engine 29+ support for chaincode containers (#5355) and parsing of
 *   CORE_PEER_DELIVERYCLIENT_ADDRESSOVERRIDES (#5400).
 * - 2.5.16 (Jun 2026): a peer crash when a transaction times out during a range query (concurrent
 *   LevelDB iterator use, #5473); chaincode base image pull behaviour (#5498); Go chaincode builds
 *   independent of Fabric's Go version (#5492).
 * None of them touches endorsement, ordering or validation performance. Our networks run one
 * channel, chaincode as a service (no Docker builds) and certificates that outlive a run, so only the
 * 2.5.12 gossip panics and the 2.5.16 range-query timeout crash could plausibly show up here.
 */
export const FABRIC = {
  version: '2.5.9',
  module: 'github.com/hyperledger/fabric',
  moduleVersion: 'v0.0.0-20240618194258-7c3876255bf0',
  /** The commit of the v2.5.9 tag; `peer version` reports its first 7 digits. */
  commit: '7c3876255bf064b789a839ce347b6a02adb6333c',
} as const;

/** v1.5.21 is served as a tag (v1.5.20 is not). */
export const FABRIC_CA = {
  version: '1.5.21',
  module: 'github.com/hyperledger/fabric-ca',
  moduleVersion: 'v1.5.21',
} as const;

/**
 * vegeta, the HTTP load generator of bench/ (MIT; k6 is AGPL and not used). Its main package is the
 * module root; `vegeta -version` prints the version stamped into main.Version at link time.
 */
export const VEGETA = {
  version: '12.13.0',
  module: 'github.com/tsenart/vegeta/v12',
  moduleVersion: 'v12.13.0',
} as const;
