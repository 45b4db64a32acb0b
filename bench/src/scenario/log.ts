type TypedArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/** A growable typed array: a few bytes per request instead of an object. */
class Column<T extends TypedArray> {
  private data: T;
  length = 0;

  constructor(private readonly make: (length: number) => T) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(i: number): number {
    return this.data[i] ?? 0;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }
}

export type Phase = 'warmup' | 'measured';
const PHASES: readonly Phase[] = ['warmup', 'measured'];

export interface RequestRecord {
  readonly scenario: number;
  /** Index of the attack (of all attacks of the run) that sent it, and its engine seq in that attack. */
  readonly attack: number;
  readonly seq: number;
  readonly method: string;
  readonly status: number;
  readonly startMs: number;
  readonly latencyMs: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** The engine's error (transport error, or the status line of a failure); absent when none. */
  readonly error?: string;
}

/** Every request of a run, and every check of its response, in columns. */
export class RequestLog {
  private readonly scenarios = new Column((n) => new Uint16Array(n));
  private readonly attacks = new Column((n) => new Uint32Array(n));
  private readonly seqs = new Column((n) => new Uint32Array(n));
  private readonly methods = new Column((n) => new Uint8Array(n));
  private readonly statuses = new Column((n) => new Uint16Array(n));
  private readonly starts = new Column((n) => new Float64Array(n));
  private readonly latencies = new Column((n) => new Float64Array(n));
  private readonly sent = new Column((n) => new Float64Array(n));
  private readonly received = new Column((n) => new Float64Array(n));
  private readonly phases = new Column((n) => new Uint8Array(n));
  private readonly methodNames: string[] = [];
  /** Each request's error as an index into errorNames, 0 for none: errors repeat (a few distinct texts), requests are many. */
  private readonly errors = new Column((n) => new Uint32Array(n));
  private readonly errorNames: string[] = [''];
  private readonly checkRequests = new Column((n) => new Uint32Array(n));
  private readonly checkNames = new Column((n) => new Uint16Array(n));
  private readonly checkPassed = new Column((n) => new Uint8Array(n));
  private readonly checkNameList: string[] = [];

  get length(): number {
    return this.scenarios.length;
  }

  /** Appends a request (phase: measured until classify() says otherwise); returns its index. */
  add(record: RequestRecord): number {
    let method = this.methodNames.indexOf(record.method);
    if (method === -1) method = this.methodNames.push(record.method) - 1;
    this.scenarios.push(record.scenario);
    this.attacks.push(record.attack);
    this.seqs.push(record.seq);
    this.methods.push(method);
    this.statuses.push(record.status);
    this.starts.push(record.startMs);
    this.latencies.push(record.latencyMs);
    this.sent.push(record.bytesSent);
    this.received.push(record.bytesReceived);
    let error = this.errorNames.indexOf(record.error ?? '');
    if (error === -1) error = this.errorNames.push(record.error ?? '') - 1;
    this.errors.push(error);
    this.phases.push(1);
    return this.length - 1;
  }

  addCheck(request: number, name: string, passed: boolean): void {
    let id = this.checkNameList.indexOf(name);
    if (id === -1) id = this.checkNameList.push(name) - 1;
    this.checkRequests.push(request);
    this.checkNames.push(id);
    this.checkPassed.push(passed ? 1 : 0);
  }

  /** Sets each request's phase once the attacks' start times are known. */
  classify(phaseOf: (attack: number, seq: number, startMs: number) => Phase): void {
    for (let i = 0; i < this.length; i++) {
      this.phases.set(i, PHASES.indexOf(phaseOf(this.attacks.get(i), this.seqs.get(i), this.starts.get(i))));
    }
  }

  request(i: number): RequestRecord & { readonly phase: Phase } {
    return {
      scenario: this.scenarios.get(i),
      attack: this.attacks.get(i),
      seq: this.seqs.get(i),
      method: this.methodNames[this.methods.get(i)] ?? '',
      status: this.statuses.get(i),
      startMs: this.starts.get(i),
      latencyMs: this.latencies.get(i),
      bytesSent: this.sent.get(i),
      bytesReceived: this.received.get(i),
      ...(this.errors.get(i) === 0 ? {} : { error: this.errorNames[this.errors.get(i)] ?? '' }),
      phase: PHASES[this.phases.get(i)] ?? 'measured',
    };
  }

  scenarioOf(i: number): number {
    return this.scenarios.get(i);
  }

  phaseOf(i: number): Phase {
    return PHASES[this.phases.get(i)] ?? 'measured';
  }

  get checkCount(): number {
    return this.checkRequests.length;
  }

  check(i: number): { readonly request: number; readonly name: string; readonly passed: boolean } {
    return {
      request: this.checkRequests.get(i),
      name: this.checkNameList[this.checkNames.get(i)] ?? '',
      passed: this.checkPassed.get(i) === 1,
    };
  }
}

/** A request failed: status >= 400, or no response at all. */
export function isFailure(status: number): boolean {
  return status === 0 || status >= 400;
}
