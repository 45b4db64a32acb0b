export * from './types';
export * from './derive';
export { energysale } from './energysale';
export * from './sizes';
export * from './addresses';
