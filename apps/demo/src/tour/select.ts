import { type Scenario, topicOf, topics } from './scenario.js';

/**
 * Picks the scenarios named by `names` (ids like `gather/sequential-vs-gathered` or topics like `gather`),
 * in tour order and without duplicates; no names means all of them. An unknown name throws a `RangeError`
 * that lists what exists.
 */
export function selectScenarios<S extends Scenario<object>>(
  all: readonly S[],
  names: readonly string[],
): S[] {
  if (names.length === 0) return [...all];
  const wanted = new Set<S>();
  for (const name of names) {
    const matches = all.filter((scenario) => scenario.id === name || topicOf(scenario) === name);
    if (matches.length === 0) {
      const hint = (topics as readonly string[]).includes(name)
        ? `The topic "${name}" has no scenarios yet.`
        : `Known topics: ${topics.join(', ')}. Run "demo list" for every scenario id.`;
      throw new RangeError(`There is no scenario or topic named "${name}". ${hint}`);
    }
    for (const match of matches) wanted.add(match);
  }
  return all.filter((scenario) => wanted.has(scenario));
}
