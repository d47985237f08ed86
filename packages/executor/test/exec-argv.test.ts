import { describe, expect, it } from 'vitest';
import { inheritedExecArgv } from '../src/exec-argv.js';

describe('inheritedExecArgv (the default execArgv of threads and children)', () => {
  it("keeps loaders and heap flags, drops the parent's entry code and debugger flags", () => {
    expect(
      inheritedExecArgv([
        '--import',
        'tsx',
        '--max-old-space-size=512',
        '-e',
        'console.log(1)',
        '--input-type=module',
        '--inspect=9229',
        '--inspect-brk',
        '--inspect-port',
        '9230',
        '--enable-source-maps',
      ]),
    ).toEqual(['--import', 'tsx', '--max-old-space-size=512', '--enable-source-maps']);
  });
});
