import { fileURLToPath } from 'node:url';
import { RuntimeSupportError } from './errors.js';

/**
 * What the worker packages check before they start a thread or a process on a runtime other than Node: the
 * Node APIs that Bun's and Deno's compatibility layers lack or do not enforce, and Deno's permissions. Each
 * fails at once with a {@link RuntimeSupportError} that names the runtime and what is missing, instead of a
 * worker that never starts (a hang) or a limit that is silently not applied (a wrong result).
 */

interface DenoPermissions {
  querySync?(descriptor: { name: string; path?: string }): { state: string };
}

interface RuntimeGlobals {
  Bun?: { version?: string };
  Deno?: { version?: { deno?: string }; permissions?: DenoPermissions; stdin?: { isTerminal?(): boolean } };
}

const g = globalThis as RuntimeGlobals;

/** `Bun 1.4.4`, `Deno 2.9.6` or `Node 22.3.0`: the runtime this code runs on, as error messages name it. */
export function runtimeName(): string {
  if (g.Bun !== undefined) return `Bun ${g.Bun.version ?? ''}`.trim();
  if (g.Deno !== undefined) return `Deno ${g.Deno.version?.deno ?? ''}`.trim();
  return `Node ${process.versions.node}`;
}

/** A Deno permission a package needs, and why (for the message). */
export interface PermissionNeed {
  name: 'read' | 'run' | 'env' | 'sys';
  /** Why the package needs it, e.g. `to load its worker script`. */
  why: string;
  /** A file URL or path the permission must cover (`read` of the package's own files). */
  path?: string | URL;
}

/** What a package needs from the runtime. */
export interface RuntimeNeeds {
  /** Deno permissions; ignored elsewhere. */
  permissions?: readonly PermissionNeed[];
  /** Worker `resourceLimits` are requested: Bun does not enforce them, and Deno hangs a thread that reaches them. */
  resourceLimits?: boolean;
}

/**
 * Throws a {@link RuntimeSupportError} naming the runtime and what is missing, unless `pkg` can run here.
 * Where Deno would ask interactively (a terminal), it is left to ask.
 */
export function assertRuntimeSupport(pkg: string, needs: RuntimeNeeds): void {
  const runtime = runtimeName();
  if (needs.resourceLimits && (g.Bun !== undefined || g.Deno !== undefined)) {
    // Measured by the conformance suite (scripts/conformance/suites/executor.mjs): Bun runs the thread past the
    // limit; Deno 2.9 stops a pool thread that reaches it without ever ending it, so its task would hang.
    const why =
      g.Bun !== undefined
        ? "Bun's worker_threads accept the option but do not enforce it, so a thread would run past its memory limit"
        : "Deno's worker_threads stop a pool thread that reaches the limit without ending it, so its task would never settle";
    throw new RuntimeSupportError(
      `${pkg} cannot apply "resourceLimits" on ${runtime}: ${why}. Omit the option on this runtime.`,
      { runtime, feature: 'worker_threads resourceLimits' },
    );
  }
  const query = g.Deno?.permissions?.querySync;
  if (query === undefined || needs.permissions === undefined) return;
  const missing: PermissionNeed[] = [];
  for (const need of needs.permissions) {
    const path = need.path instanceof URL ? fileURLToPath(need.path) : need.path;
    let state: string;
    try {
      state = query.call(
        g.Deno!.permissions,
        path === undefined ? { name: need.name } : { name: need.name, path },
      ).state;
    } catch {
      continue; // a descriptor this Deno does not know: let the real call decide
    }
    if (state === 'granted') continue;
    if (state === 'prompt' && g.Deno!.stdin?.isTerminal?.() === true) continue;
    missing.push(need);
  }
  if (missing.length === 0) return;
  const flags = missing.map((m) => `--allow-${m.name}`);
  throw new RuntimeSupportError(
    `${pkg} needs Deno's ${missing.map((m) => `--allow-${m.name} permission (${m.why})`).join(', ')}, which this process (${runtime}) was not given. Run again with ${flags.join(' ')}.`,
    { runtime, feature: `Deno permission ${flags.join(' ')}`, permissions: flags },
  );
}
