/*
 * Runs a Node chaincode written against fabric-shim's low-level API (a ChaincodeInterface handed to
 * Shim.start() when its module loads, as Fabric's test network runs one without fabric-contract-api)
 * as a chaincode server, unchanged: Shim.start, which would dial a peer, serves instead, at the
 * address and with the TLS material of the environment a Go chaincode server reads
 * (CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID, CHAINCODE_TLS_KEY, CHAINCODE_TLS_CERT,
 * CHAINCODE_CLIENT_CA_CERT; source.ts). The chaincode's own fabric-shim is the one patched.
 *
 *   node shim-launcher.js <module directory>
 */
import { readFileSync } from 'node:fs';

interface ShimModule {
  start(chaincode: unknown): unknown;
  server(chaincode: unknown, options: { ccid: string; address: string; tlsProps: { key: Buffer; cert: Buffer; clientCACerts?: Buffer } }): { start(): Promise<void> };
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`shim-launcher: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

const [moduleDir] = process.argv.slice(2);
if (moduleDir === undefined) {
  process.stderr.write('usage: shim-launcher <module directory>\n');
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the chaincode's own copy, resolved at run time
const shim = require(require.resolve('fabric-shim', { paths: [moduleDir] })) as ShimModule;
const clientCa = process.env['CHAINCODE_CLIENT_CA_CERT'];
const options = {
  ccid: required('CHAINCODE_ID'),
  address: required('CHAINCODE_SERVER_ADDRESS'),
  tlsProps: {
    key: readFileSync(required('CHAINCODE_TLS_KEY')),
    cert: readFileSync(required('CHAINCODE_TLS_CERT')),
    ...(clientCa ? { clientCACerts: readFileSync(clientCa) } : {}),
  },
};
shim.start = (chaincode: unknown) => {
  const server = shim.server(chaincode, options);
  server.start().catch((error: unknown) => {
    process.stderr.write(`shim-launcher: the chaincode server failed: ${String(error)}\n`);
    process.exit(1);
  });
  return server;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the chaincode's main module, which calls Shim.start
require(require.resolve(moduleDir));
