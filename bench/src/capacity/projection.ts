/*
 * The provincial projection: from the size and habits of a province's retail market to the peak
 * ledger writes and reads per second the platform must serve, the headroom of the measured knees
 * over them, and the CPU (hence machines) the chain and the service tier would need, from the CPU
 * each transaction was measured to cost.
 */

export interface ProvinceInputs {
  /** Retail users trading on the platform (retail contracts). */
  readonly retailUsers: number;
  /** Electricity retailers (售电公司). */
  readonly retailers: number;
  /** Retail orders a user places per month. */
  readonly ordersPerUserPerMonth: number;
  /** Ledger writes over one order's normal flow. */
  readonly writesPerOrder: number;
  /** Share of a month's orders placed within the peak window (0-1). */
  readonly peakShare: number;
  /** Length of the peak window in hours. */
  readonly peakWindowHours: number;
  /** Reads (queries) per ledger write. */
  readonly readsPerWrite: number;
  /** Multiplier over the computed peak (bursts within the window, growth). */
  readonly safetyFactor: number;
  /** CPU cores of one machine of the production deployment. */
  readonly coresPerMachine: number;
  /** The CPU utilisation a machine is planned to run at, at peak (0-1). */
  readonly targetUtilisation: number;
}

export interface InputSource {
  readonly value: number;
  readonly why: string;
}

/**
 * The defaults, each with where it comes from. The market's size is of the order of the largest
 * provincial retail markets in China: Guangdong Power Exchange Center's annual reports (e.g. 2021)
 * count retail users in the tens of thousands and registered retailers in the hundreds; the figures
 * below are a round planning assumption of that order, not a quotation: replace them with your
 * province's own. The flow and the windows are this platform's.
 */
export const DEFAULT_INPUTS: Readonly<Record<keyof ProvinceInputs, InputSource>> = {
  retailUsers: { value: 100_000, why: 'order of magnitude of a large provincial retail market (tens of thousands of retail users in Guangdong\'s annual reports), rounded up for growth as market access widens (PAPER.md §8)' },
  retailers: { value: 500, why: 'order of magnitude of registered retailers in a large province (hundreds)' },
  ordersPerUserPerMonth: { value: 2, why: 'a monthly package order and one change (retail packages are contracted per month or longer)' },
  writesPerOrder: { value: 8, why: "the normal flow of PAPER.md §2 as the chaincode runs it: declare, two confirmations, review, two signatures, start of execution, expiry" },
  peakShare: { value: 0.6, why: 'most orders are placed in the last days before the monthly trading deadline' },
  peakWindowHours: { value: 24, why: 'three working days of 8 hours before the deadline' },
  readsPerWrite: { value: 10, why: 'users and retailers look at their orders several times per step (lists, details, history)' },
  safetyFactor: { value: 2, why: 'bursts within the peak window and a year of growth' },
  coresPerMachine: { value: 16, why: 'a common server size' },
  targetUtilisation: { value: 0.6, why: 'keeps latency near its unloaded value (queueing grows fast beyond ~60-70 % busy)' },
};

export function defaultInputs(): ProvinceInputs {
  return Object.fromEntries(Object.entries(DEFAULT_INPUTS).map(([k, v]) => [k, v.value])) as unknown as ProvinceInputs;
}

/** What the measurement says one transaction costs and how far one deployment goes. */
export interface MeasuredCapacity {
  /** The knees: the highest rates served within the objective (per second), null when none was. */
  readonly writeKneePerS: number | null;
  readonly readKneePerS: number | null;
  /** Whether each knee was reached (a higher step failed); when not, the knee is a lower bound: the highest step tried. */
  readonly writeKneeReached: boolean;
  readonly readKneeReached: boolean;
  /** CPU milliseconds per write and per read: the chain's and the service tier's, at the knee (or the lightest step). */
  readonly chainCpuMsPerWrite: number;
  readonly chainCpuMsPerRead: number;
  readonly serviceCpuMsPerWrite: number;
  readonly serviceCpuMsPerRead: number;
  /** Cores of the measuring machine. */
  readonly cores: number;
  /** Peers of the measured network: every one of them validates every write. */
  readonly peers: number;
}

export interface Projection {
  readonly inputs: ProvinceInputs;
  readonly peakWritesPerS: number;
  readonly peakReadsPerS: number;
  /** Knee over requirement: above 1 the measured deployment would serve the peak. */
  readonly writeHeadroom: number | null;
  readonly readHeadroom: number | null;
  /** Cores busy at peak, and machines at the target utilisation, for the chain and the service tier. */
  readonly chainCores: number;
  readonly serviceCores: number;
  readonly machines: number;
  readonly findings: readonly string[];
}

export class ProjectionInputError extends Error {
  override readonly name = 'ProjectionInputError';
}

export function checkInputs(inputs: ProvinceInputs): void {
  for (const [key, value] of Object.entries(inputs) as [keyof ProvinceInputs, number][]) {
    if (!Number.isFinite(value) || value <= 0) throw new ProjectionInputError(`${key} must be a positive number, not ${String(value)}`);
  }
  if (inputs.peakShare > 1) throw new ProjectionInputError(`peakShare is a share of the month's orders (0-1], not ${inputs.peakShare}`);
  if (inputs.targetUtilisation > 1) throw new ProjectionInputError(`targetUtilisation is a share (0-1], not ${inputs.targetUtilisation}`);
  if (inputs.peakWindowHours > 24 * 31) throw new ProjectionInputError(`peakWindowHours cannot exceed a month (${24 * 31} h), not ${inputs.peakWindowHours}`);
}

export function project(inputs: ProvinceInputs, measured: MeasuredCapacity): Projection {
  checkInputs(inputs);
  const ordersInWindow = inputs.retailUsers * inputs.ordersPerUserPerMonth * inputs.peakShare;
  const peakWritesPerS = ((ordersInWindow * inputs.writesPerOrder) / (inputs.peakWindowHours * 3600)) * inputs.safetyFactor;
  const peakReadsPerS = peakWritesPerS * inputs.readsPerWrite;
  const headroom = (knee: number | null, need: number): number | null => (knee === null ? null : knee / need);
  const chainCores = (peakWritesPerS * measured.chainCpuMsPerWrite + peakReadsPerS * measured.chainCpuMsPerRead) / 1000;
  const serviceCores = (peakWritesPerS * measured.serviceCpuMsPerWrite + peakReadsPerS * measured.serviceCpuMsPerRead) / 1000;
  const machines = Math.ceil((chainCores + serviceCores) / (inputs.coresPerMachine * inputs.targetUtilisation));
  const writeHeadroom = headroom(measured.writeKneePerS, peakWritesPerS);
  const readHeadroom = headroom(measured.readKneePerS, peakReadsPerS);
  const findings: string[] = [];
  const describe = (what: string, h: number | null, need: number, reached: boolean): string =>
    h === null
      ? `${what}: no step of the sweep met the objective, so no headroom can be stated (peak need ${need.toFixed(1)}/s)`
      : h >= 1
        ? `${what}: the deployment measured here (${measured.cores} cores) serves the peak (${need.toFixed(1)}/s needed) ${reached ? '' : 'at least '}${h.toFixed(1)}× over`
        : reached
          ? `${what}: the peak (${need.toFixed(1)}/s) is ${(1 / h).toFixed(1)}× the knee measured on ${measured.cores} cores here; the deployment must be larger than this machine (cores below)`
          : `${what}: the peak (${need.toFixed(1)}/s) is above the sweep's highest step (${(h * need).toFixed(1)}/s), which met the objective: whether the ${measured.cores} cores here serve it was not measured (sweep higher rates: --plan full)`;
  findings.push(describe('Writes', writeHeadroom, peakWritesPerS, measured.writeKneeReached), describe('Reads', readHeadroom, peakReadsPerS, measured.readKneeReached));
  findings.push(
    `CPU at peak: the chain ${chainCores.toFixed(1)} cores, the service tier ${serviceCores.toFixed(1)} cores (measured costs: ${measured.chainCpuMsPerWrite.toFixed(0)} chain CPU ms per write, ` +
      `${measured.chainCpuMsPerRead.toFixed(1)} per read) → ${machines} machine(s) of ${inputs.coresPerMachine} cores at ${Math.round(inputs.targetUtilisation * 100)} % busy, ` +
      `against ${measured.cores} cores measured here.`,
  );
  findings.push(
    `What grows: every write is endorsed by an exchange peer and a consumer or retailer peer and validated by all ${measured.peers} peers, so its chain CPU grows with the peers that commit it (\`bench growth\` measures it on two sizes); ` +
      'more peers per org spread endorsements (the gateway balances them) but add commit work, more orgs in the policy add endorsements to every write. Reads are served by one peer: they scale with peers. ' +
      'The ordering service (Raft) orders blocks, not endorsements, and is rarely first to saturate.',
  );
  return { inputs, peakWritesPerS, peakReadsPerS, writeHeadroom, readHeadroom, chainCores, serviceCores, machines, findings };
}
