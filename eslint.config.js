import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'drizzle/', 'coverage/', 'bench/results/', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      // The pure core: time is a parameter, never read from the clock.
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'domain code takes `now` as a parameter' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain code takes `now` as a parameter' },
      ],
      'no-restricted-properties': ['error', { object: 'process', message: 'domain code does not read the environment' }],
    },
  },
);
