/**
 * What the demo made, undone in reverse order. Each thing is registered as
 * soon as it exists, so an interrupted setup leaves nothing behind either; a
 * thing registered after the cleanup ran is undone at once. A step without
 * `what` is undone without a word (unless it fails).
 */
export class Cleanup {
  private readonly steps: { what: string; undo: () => Promise<void> }[] = [];
  private ran = false;

  async add(what: string, undo: () => Promise<void>): Promise<void> {
    if (this.ran) await undo().catch(() => undefined);
    else this.steps.push({ what, undo });
  }

  /** Undoes everything, each step within `timeoutMs`; returns the failures ("what: why"). */
  async run(report: (what: string, problem: string | null) => void, timeoutMs = 20_000): Promise<string[]> {
    this.ran = true;
    const failures: string[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      });
      try {
        await Promise.race([step.undo(), deadline]);
        if (step.what) report(step.what, null);
      } catch (err) {
        const problem = err instanceof Error ? err.message : String(err);
        failures.push(`${step.what}: ${problem}`);
        report(step.what, problem);
      } finally {
        clearTimeout(timer);
      }
    }
    return failures;
  }
}
