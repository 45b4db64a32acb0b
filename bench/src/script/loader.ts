/**
 * Loads a TypeScript script without a build step: type-checks it (strict) against the script API's
 * declarations, compiles it and the local modules it imports to CommonJS in memory, and evaluates
 * them. A type error stops the run with the compiler's messages, file and line.
 */
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { existsSync } from 'node:fs';

import ts from 'typescript';

import * as scriptApi from './api/index';
import * as executionApi from './api/execution';
import * as fabricApi from './api/fabric';
import * as httpApi from './api/http';
import * as metricsApi from './api/metrics';
import * as networkApi from './api/network';
import * as summaryApi from './api/summary';

/** Node's CommonJS module, with the members a loader uses. */
interface InternalModule extends Module {
  _compile(code: string, filename: string): void;
}

/** The script does not type-check, or cannot be read. */
export class ScriptCompileError extends Error {
  override readonly name = 'ScriptCompileError';
  constructor(
    message: string,
    /** The compiler's diagnostics, formatted as tsc prints them (file(line,col): error TSnnnn: ...). */
    readonly diagnostics: string,
  ) {
    super(`${message}\n${diagnostics}`);
  }
}

/** The script threw while it was evaluated (its top level, k6's init context). */
export class ScriptInitError extends Error {
  override readonly name = 'ScriptInitError';
}

/** The modules a script imports by name, and what they are at run time. */
const API_MODULES: Readonly<Record<string, unknown>> = {
  '@energysale/bench/script': scriptApi,
  '@energysale/bench/script/execution': executionApi,
  '@energysale/bench/script/fabric': fabricApi,
  '@energysale/bench/script/http': httpApi,
  '@energysale/bench/script/metrics': metricsApi,
  '@energysale/bench/script/network': networkApi,
  '@energysale/bench/script/summary': summaryApi,
};

/** Where the declarations of the script API are (beside this module once built). */
const API_DIR = path.join(__dirname, 'api');

function compilerOptions(): ts.CompilerOptions {
  const typeRoots = [path.resolve(__dirname, '../../../node_modules/@types'), path.resolve(__dirname, '../../node_modules/@types')].filter((d) => existsSync(d));
  return {
    strict: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots,
    paths: {
      '@energysale/bench/script': [path.join(API_DIR, 'index.d.ts')],
      '@energysale/bench/script/*': [path.join(API_DIR, '*.d.ts')],
    },
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    noEmitOnError: true,
  };
}

export interface CompiledScript {
  /** Absolute path of the entry file. */
  readonly file: string;
  /** JavaScript of the entry and of every local module it imports, by source path. */
  readonly outputs: ReadonlyMap<string, string>;
}

/** Type-checks and compiles `file`; throws ScriptCompileError with the diagnostics. */
export function compileScript(file: string): CompiledScript {
  const entry = path.resolve(file);
  if (!existsSync(entry)) throw new ScriptCompileError(`no script at ${entry}`, '');
  const program = ts.createProgram({ rootNames: [entry, path.join(API_DIR, 'globals.d.ts')], options: compilerOptions() });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) throw new ScriptCompileError(`${path.relative(process.cwd(), entry)} does not type-check:`, formatDiagnostics(diagnostics));
  const outputs = new Map<string, string>();
  const result = program.emit(undefined, (name, text, _bom, _onError, sources) => {
    const source = sources?.[0]?.fileName;
    if (source !== undefined && name.endsWith('.js')) outputs.set(path.resolve(source), text);
  });
  if (result.diagnostics.length > 0) throw new ScriptCompileError(`${entry} could not be compiled:`, formatDiagnostics(result.diagnostics));
  return { file: entry, outputs };
}

export function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  });
}

/** Evaluates a compiled script and returns its exports (options, default, setup, ...). */
export function evaluateScript(script: CompiledScript): Record<string, unknown> {
  // Errors thrown in the script name its TypeScript lines (the compiled code carries an inline map).
  process.setSourceMapsEnabled(true);
  const cache = new Map<string, { exports: Record<string, unknown> }>();
  const load = (file: string): Record<string, unknown> => {
    const cached = cache.get(file);
    if (cached !== undefined) return cached.exports;
    const code = script.outputs.get(file);
    if (code === undefined) throw new ScriptInitError(`${file} was not compiled with the script`);
    // A CommonJS module of Node's own, so that its inline source map names the script's lines in stacks.
    const module = new Module(file) as InternalModule;
    module.filename = file;
    module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
    cache.set(file, module);
    const outside = createRequire(file);
    module.require = (specifier: string): unknown => {
      if (Object.hasOwn(API_MODULES, specifier)) return API_MODULES[specifier];
      if (specifier.startsWith('.')) {
        const base = path.resolve(path.dirname(file), specifier);
        for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
          if (script.outputs.has(candidate)) return load(candidate);
        }
      }
      return outside(specifier);
    };
    module._compile(code, file);
    return module.exports as Record<string, unknown>;
  };
  try {
    return load(script.file);
  } catch (cause) {
    if (cause instanceof ScriptInitError) throw cause;
    throw new ScriptInitError(`${script.file} threw while it was loaded: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`, { cause });
  }
}
