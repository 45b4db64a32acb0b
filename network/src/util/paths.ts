import { join, resolve } from 'node:path';

/** The repository root (this file is network/{src,dist}/util/paths). */
export const repoRoot = resolve(__dirname, '..', '..', '..');

export const chaincodeWorkspace = join(repoRoot, 'chaincode');

/** Private data collections of the chaincode, kept beside it. */
export const chaincodeCollections = join(chaincodeWorkspace, 'collections.json');
