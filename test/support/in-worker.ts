import { Worker } from 'node:worker_threads';

/**
 * Calls an exported function of a module in a worker thread and waits at most
 * `deadlineMs` for it: a complexity check that cannot hang the test run (a
 * worker stuck in a loop is terminated) and does not depend on machine speed
 * beyond a generous bound.
 */
export function callInWorker(moduleUrl: URL, exportName: string, args: unknown[], deadlineMs: number): Promise<{ done: true; value: unknown } | { done: false }> {
  const worker = new Worker(new URL('./worker-call.cjs', import.meta.url), { execArgv: ['--import', 'tsx'], workerData: { url: moduleUrl.href, name: exportName, args } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ done: false });
    }, deadlineMs);
    worker.once('message', (value: unknown) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve({ done: true, value });
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
