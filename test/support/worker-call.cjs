// Worker entry for callInWorker. CommonJS on purpose: in a worker thread on Node 20, tsx's loader
// reaches `require` but not `import`, so the TypeScript module is required (as piscina does).
const { parentPort, workerData } = require('node:worker_threads');
const { fileURLToPath } = require('node:url');

const { url, name, args } = workerData;
Promise.resolve(require(fileURLToPath(url))[name](...args)).then((value) => parentPort.postMessage(value));
