export { runDemo } from './run';
export type { DemoOptions, DemoResult, DemoStep } from './run';
export { DEMO, demoTopics } from './names';
