/*
 * Imported first by the CLI: the retail contract's annotations (fabric-contract-api, loaded with the
 * service's schemas) log every transaction they declare at info level when their module loads. A
 * benchmark's output is its progress and results, so those loggers start at warning unless the
 * environment asks otherwise.
 */
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'warning';

export {};
