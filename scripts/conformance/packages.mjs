// The packages under conformance, one line each. `pure`: web-standard APIs only, so it must also pass in a
// browser page, a Web Worker and an edge-style global scope. A package with a suite in suites/<name>.mjs runs
// it; one without is at least loaded and checked to export something on every runtime.
export const packages = [
  { name: 'gather', pure: true },
  { name: 'timeout', pure: true },
  { name: 'task', pure: true },
  { name: 'locks', pure: true },
  { name: 'queue', pure: true },
  { name: 'retry', pure: true },
  { name: 'to-thread', pure: false },
  { name: 'process-pool', pure: false },
  { name: 'sync-bridge', pure: false },
  { name: 'executor', pure: false },
];

/** Why a worker package is not run where there is no Node worker API (the README table shows it). */
export const workerReason =
  "needs Node's worker_threads / child_process, which a browser or edge worker lacks";
