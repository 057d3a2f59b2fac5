/** Import direction (STYLE.md): domain ← usecases ← adapters, workers ← main/cli. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing outside itself (luxon may hide behind the calendar module)',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', 'luxon'] },
    },
    {
      name: 'usecases-stay-off-adapters',
      comment: 'use cases talk to the world through ports, not adapters or libraries',
      severity: 'error',
      from: { path: '^src/usecases/' },
      to: { path: ['^src/adapters/', '^src/main\\.ts', '^src/cli', '^workers/', 'node_modules'] },
    },
    {
      name: 'adapters-not-composition',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/main\\.ts', '^src/cli', '^workers/'] },
    },
    {
      name: 'config-is-not-infrastructure',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: ['^src/adapters/', '^src/usecases/', '^src/main\\.ts', '^src/cli'] },
    },
    // A cycle of type imports alone (a ticket holds an SLA clock, the clock knows the statuses) has no runtime effect.
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
