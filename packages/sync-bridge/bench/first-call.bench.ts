/** The first call in a fresh process: worker start-up plus one round trip (module loading excluded). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { measured, median, quick, type Workload } from '../../../scripts/bench/kit.ts';

const script = fileURLToPath(new URL('./fixtures/first-call.mjs', import.meta.url));
const rounds = quick ? 3 : 9;

const firstCallMs = (which: string) =>
  Number(execFileSync(process.execPath, [script, which], { encoding: 'utf8' }));

export default async (): Promise<Workload[]> => {
  const all = { ours: [] as number[], synckit: [] as number[], makeSync: [] as number[] };
  // Interleaved so machine noise hits everybody alike.
  for (let i = 0; i < rounds; i++) {
    all.ours.push(firstCallMs('ours'));
    all.synckit.push(firstCallMs('synckit'));
    all.makeSync.push(firstCallMs('make-synchronous'));
  }
  return [
    measured(
      'first call in a fresh process (worker start-up)',
      'ms',
      'lower',
      [
        {
          name: '@x/sync-bridge runSync',
          ours: true,
          value: median(all.ours),
          detail: { samples: all.ours },
        },
        { name: 'synckit', value: median(all.synckit), detail: { samples: all.synckit } },
        { name: 'make-synchronous', value: median(all.makeSync), detail: { samples: all.makeSync } },
      ],
      '<= 1x synckit',
    ),
  ];
};
