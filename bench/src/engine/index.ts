export { EngineError, type Attack, type AttackReport, type EngineRequest, type EngineResult, type LoadEngine, type Pacing } from './engine';
export { attackArgs, VegetaEngine } from './vegeta';
