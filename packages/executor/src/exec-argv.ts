/**
 * The parent's Node flags minus those that only made sense for the parent itself: its entry code (`-e`,
 * `-p`, `--input-type`) and its debugger (`--inspect*`: threads and children would fight over the port). A TS loader
 * such as `--import tsx` is kept, so module functions in `.ts` files work in threads and children too.
 */
export function inheritedExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^(-e|-p|--eval|--print|--input-type|--inspect-port|--debug-port)$/.test(a)) i++;
    else if (!/^(--input-type=|--eval=|--print=|--inspect|--debug-port=)/.test(a)) out.push(a);
  }
  return out;
}
