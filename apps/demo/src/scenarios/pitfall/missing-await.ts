import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';

async function getData(delayMs: number): Promise<number[]> {
  await delay(delayMs);
  return [1, 2, 3];
}

// A script that calls a failing async function and forgets to await it.
const forgottenAwaitScript = `
async function saveReport() {
  await null;
  throw new Error('disk full while saving the report');
}
saveReport(); // no await, no .catch
setTimeout(() => console.log('the script went on'), 300);
`;

// The same forgotten call in a script that installs a process-wide 'unhandledRejection' handler: Node
// then calls the handler instead of terminating, and the script goes on.
const handledRejectionScript = `
process.on('unhandledRejection', (reason) => {
  console.log('unhandledRejection: "' + reason.message + '". A promise failed and nothing awaited it or ' +
    'called .catch() on it; this handler logs it and the process keeps running.');
});
async function saveReport() {
  await null;
  throw new Error('disk full while saving the report');
}
saveReport(); // no await, no .catch
setTimeout(() => console.log('the script went on'), 300);
`;

function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export default defineScenario({
  id: 'pitfall/missing-await',
  title: 'Calling an async function without await: a pending promise, and a rejection nobody handles',
  source: section(asyncioArticle, 'Pitfalls: calling an async function without await'),
  expected:
    'Without await, get_data() gives a coroutine object instead of the list. (In Node the call gives a pending ' +
    'Promise, and if it fails with nobody listening, the process is terminated; a ' +
    "process.on('unhandledRejection') handler catches such a failure, can explain it, and keeps the process " +
    'running.)',
  async run(ctx) {
    const data = getData(ctx.ms(500));
    const shown = inspect(data);
    const looksLikeList = Array.isArray(data);
    ctx.log(`data = getData() -> ${shown}; Array.isArray(data) = ${looksLikeList}`);
    const awaited = await data;
    ctx.log(`await getData() -> ${inspect(awaited)}`);

    ctx.step('a script that forgets to await a failing call');
    const child = await runNode(forgottenAwaitScript);
    const reported = child.stderr.includes('disk full while saving the report');
    const wentOn = child.stdout.includes('the script went on');
    ctx.log(
      `the script exited with code ${child.code}; its error was ${reported ? '' : 'not '}reported; its next timer ${wentOn ? 'still ran' : 'never ran'}`,
    );

    ctx.step("the same script with a process.on('unhandledRejection') handler");
    const handled = await runNode(handledRejectionScript);
    const explanation = /^unhandledRejection: .*$/m.exec(handled.stdout)?.[0];
    const handledWentOn = handled.stdout.includes('the script went on');
    ctx.log(
      `with a handler, the script exited with code ${handled.code} and its next timer ${handledWentOn ? 'still ran' : 'never ran'}; the handler logged: ${explanation ?? '(nothing)'}`,
    );

    const ok =
      shown.includes('<pending>') &&
      !looksLikeList &&
      awaited.length === 3 &&
      child.code === 1 &&
      reported &&
      !wentOn &&
      handled.code === 0 &&
      explanation !== undefined &&
      handledWentOn;
    return {
      ok,
      measured:
        `getData() without await gave ${shown}; a forgotten failing call terminated its script with exit code ${child.code} before the script's next timer; ` +
        `with an unhandledRejection handler the failure was logged and explained, the next timer ${handledWentOn ? 'still ran' : 'never ran'} and the script exited with code ${handled.code}`,
      data: {
        shown,
        looksLikeList,
        awaited,
        childCode: child.code,
        reported,
        wentOn,
        handledCode: handled.code,
        explanation,
        handledWentOn,
      },
    };
  },
});
