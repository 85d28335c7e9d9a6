// The demo county (演示县): a fictitious county on a preset's policy, for trying the console and the
// matcher. See README 'Demo county'.
export { DEMO_PRESETS, PLANTED_KINDS, demoSize, generateDemoCounty, type DemoPreset, type GenDemoCounty, type PlantedKind } from './generate.js';
export { DEMO_MARKER_ACTION, demoModeFor, findDemoCounty, loadDemoCounty, type DemoCountySummary, type LoadDemoOptions } from './load.js';
export { bringDemoToLife, DEMO_LIVE_PER_KIND, type BringDemoToLifeOptions, type DemoLiveKind, type DemoLiveSummary } from './live.js';
