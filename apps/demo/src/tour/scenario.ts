/** The topics of the tour, in the order the tour visits them. */
export const topics = [
  'basics',
  'gather',
  'task',
  'timeout',
  'share',
  'thread',
  'process',
  'cluster',
  'sync',
  'stream',
  'pitfall',
] as const;

/** One topic of the tour; a scenario's id is `topic/name`. */
export type Topic = (typeof topics)[number];

/** What a scenario hands back: a sentence for people, a verdict, and the raw figures for tests. */
export interface Outcome<Data extends object = Record<string, unknown>> {
  /** What happened here, with the figures (e.g. "sequential 0.40 s, gathered 0.20 s"). */
  measured: string;
  /** Whether what happened matches what the source document says. */
  ok: boolean;
  /** The figures behind `measured`, for tests and for other scenarios. */
  data: Data;
}

/** What the runner gives every scenario. */
export interface ScenarioContext {
  /** 1 plays the documents' delays as written; 0.1 plays them ten times faster. */
  readonly scale: number;
  /** A delay from the documents (in ms) at the current scale, never below 1 ms. */
  ms(documentMs: number): number;
  /** Loop iterations of the CPU-bound `sum(range(n))` workload. */
  readonly cpuIterations: number;
  /** A line of narration, shown under the scenario as it happens (hidden under `--json`). */
  log(line: string): void;
  /** Names the step that is running now, for the progress display. */
  step(label: string): void;
  /** Aborted when the run is interrupted (Ctrl+C); pass it down to what the scenario starts. */
  readonly signal: AbortSignal;
}

/** One scenario of the source documents, reproduced and measured. */
export interface Scenario<Data extends object = Record<string, unknown>> {
  /** `topic/name`, e.g. `gather/sequential-vs-gathered`. */
  readonly id: `${Topic}/${string}`;
  readonly title: string;
  /** Which document and section the scenario comes from. */
  readonly source: string;
  /** What the document says should happen. */
  readonly expected: string;
  run(ctx: ScenarioContext): Promise<Outcome<Data>>;
}

/** Types a scenario module's export, keeping its `data` shape for tests. */
export function defineScenario<Data extends object>(scenario: Scenario<Data>): Scenario<Data> {
  return scenario;
}

/** The topic part of a scenario id. */
export function topicOf(scenario: Pick<Scenario, 'id'>): Topic {
  return scenario.id.slice(0, scenario.id.indexOf('/')) as Topic;
}
