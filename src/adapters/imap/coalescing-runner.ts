/**
 * Runs `work` when asked, never twice at once: requests that arrive during a
 * run fold into one more run after it. `work` must handle its own errors.
 */
export class CoalescingRunner {
  private readonly work: () => Promise<void>;
  private current: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(work: () => Promise<void>) {
    this.work = work;
  }

  request(): void {
    if (this.closed) return;
    if (this.current) {
      this.again = true;
      return;
    }
    this.current = this.loop().finally(() => {
      this.current = null;
    });
  }

  /** Stops taking requests and waits for the run in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await this.current;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.work();
    } while (this.again && !this.closed);
  }
}
