// ESLint over the whole tree, TypeScript with type information: typescript-eslint's strict and stylistic
// type-checked sets. Formatting is prettier's (npm run format), never a lint rule.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  { ignores: ['dist/', 'fixtures/', 'reports/', '.modeltest/', 'bench/gpu/device/carry/', 'examples/**/data/', 'examples/**/models/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        // One TypeScript program per tsconfig: the build's, the tests' (which also holds bench/), the examples'.
        project: ['tsconfig.json', 'test/tsconfig.json', 'examples/sentiment/tsconfig.json', 'examples/fairness/tsconfig.json', 'examples/monitoring/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      // Messages print numbers, booleans and patterns in templates as users write them. Nullish too: the AWS SDK
      // types every field of a reply as optional, also those a successful call always fills. Anything else
      // (any, objects, arrays) needs String() or a formatter, where '[object Object]' would show.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowRegExp: true, allowNullish: true, allowAny: false, allowNever: false }],
      // `test('…', () => expect(x).toY())`, the shape of every test, returns a void expression on purpose, and so
      // does `return resolve(…)`, an early return from a callback that returns nothing.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // An empty string (an environment variable set to '', an empty flag) means "not given": `||` on strings is meant.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      // Off: String() of a value typed as a string is deliberate where users' values arrive untyped from JavaScript:
      // a Symbol in a template literal would throw a TypeError instead of the ModeltestError being built.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // Off: without noUncheckedIndexedAccess a lookup (METRICS[name], row[column]) is typed as always present, and
      // users call the API from JavaScript too: the rule would delete the guards that give them a ModeltestError.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Off: each `!` stands on an invariant a line above states (a filter, a Map filled just before); a run-time
      // check there would be a branch no input can reach.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Off: `async` without `await` is deliberate where a function meets a Promise-returning contract (the checks,
      // fakes of async APIs): its throws must become rejections, as the contract's other implementations do.
      '@typescript-eslint/require-await': 'off',
      // Off: an empty function is how an interface is met with nothing to do (a prompt's close, a model's dispose,
      // a rejection already reported elsewhere).
      '@typescript-eslint/no-empty-function': 'off',
      // `const { dropped: _, ...rest } = value` is how a key is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Off: the numeric kernels index their arrays (ArrayLike inputs, parallel arrays read at the same i).
      '@typescript-eslint/prefer-for-of': 'off',
    },
  },
  {
    // Tests read the reports they check with JSON.parse and assert on them with expect(), which is the check:
    // typing every parsed report would add casts that catch nothing. Tests that corrupt a report on purpose, and
    // the fakes' JSON handlers, write through `any`.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (bin/, a few bench scripts, this file) is in no tsconfig: the rules without types.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)
