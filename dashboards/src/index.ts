/** Rules and dashboards as code: what the live tests and the CLI use. */
export * from './metrics';
export { generatedFiles, staleFiles, writeGenerated, type GeneratedFile } from './files';
