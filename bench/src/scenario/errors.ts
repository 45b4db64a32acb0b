/** The options of a run are inconsistent: found before any request is sent. */
export class ScenarioConfigError extends Error {
  override readonly name: string = 'ScenarioConfigError';
}

/** A threshold key or condition is not a k6 threshold expression we understand. */
export class ThresholdSyntaxError extends ScenarioConfigError {
  override readonly name: string = 'ThresholdSyntaxError';
  constructor(
    /** The key or condition as written. */
    readonly expression: string,
    reason: string,
  ) {
    super(`threshold "${expression}": ${reason}`);
  }
}
