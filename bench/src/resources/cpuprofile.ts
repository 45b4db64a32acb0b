/*
 * V8 CPU profiles (node --cpu-prof: the service instances of bench ab) summarised: where a Node
 * process's CPU went, by package and by function, self time only (each sample counted once, at the
 * function running). Idle time is left out: the shares are of the time the process was busy.
 */

/** The parts of a .cpuprofile this reads (Chrome DevTools protocol, Profiler.Profile). */
export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  readonly selfMs: number;
  /** Of the busy time. */
  readonly pct: number;
}

export interface CpuProfileSummary {
  /** Sampled time the process was not idle, ms. */
  readonly busyMs: number;
  readonly byPackage: readonly ProfileShare[];
  readonly topFunctions: readonly ProfileShare[];
}

export class CpuProfileError extends Error {
  override readonly name = 'CpuProfileError';
}

/** What a script URL belongs to: the npm package (the last node_modules/ in its path), Node itself, V8, or our own workspace. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    if (functionName === '(program)') return 'V8: native code (program)';
    return `V8: ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return 'node (core modules)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name ?? ''}` : (scope ?? url);
  }
  const workspace = /\/(network|service|bench|chaincode|dashboards)\/(dist|src)\//.exec(url);
  return workspace ? `@energysale/${workspace[1] ?? ''}` : url;
}

const shares = (selfMs: ReadonlyMap<string, number>, busyMs: number, top: number): ProfileShare[] =>
  [...selfMs.entries()]
    .map(([name, ms]) => ({ name, selfMs: ms, pct: busyMs > 0 ? (100 * ms) / busyMs : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);

/** Self time by package and the `top` functions by self time, of the profile's busy time. */
export function summariseCpuProfile(profile: CpuProfile, top = 25): CpuProfileSummary {
  if (profile.samples.length !== profile.timeDeltas.length) throw new CpuProfileError(`a profile of ${profile.samples.length} samples with ${profile.timeDeltas.length} time deltas`);
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyMs = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    if (frame === undefined) throw new CpuProfileError(`sample ${i} names node ${id}, which the profile does not hold`);
    if (frame.functionName === '(idle)') return;
    // The delta before a sample is the time it stands for (the first one's is from the profile's start).
    const ms = Math.max(0, profile.timeDeltas[i] ?? 0) / 1000;
    busyMs += ms;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const where = frame.url === '' ? pkg : `${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(network|service|bench)\//, '$1/')}:${frame.lineNumber + 1}`;
    const fn = `${frame.functionName || '(anonymous)'} ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  });
  return { busyMs, byPackage: shares(byPackage, busyMs, top), topFunctions: shares(byFunction, busyMs, top) };
}
