// Lint: TypeScript and Vue recommended rules; formatting is left to the editor.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    rules: {
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      'vue/no-v-html': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // What the browser runs takes the shapes it receives from shared/contract.ts and its limits
    // from schemas/, never from server/ (server code in a page's bundle, or a contract that drifts
    // with the server's internals). +data hooks, and vaultData.ts which only they import, run on
    // the server only.
    files: ['shared/**', 'schemas/**', 'stores/**', 'components/**', 'pages/**', 'renderer/**'],
    ignores: ['pages/**/+data.ts', 'pages/dashboard/vaultData.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+server(/|$)', message: 'Browser code imports no server module: shared/contract.ts has the shapes it receives.' }] },
      ],
    },
  },
  {
    // The page context's server-only fields (services, the viewer's vault key) are typed by the server.
    files: ['renderer/types.d.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+server(/|$)', allowTypeImports: true, message: 'Only the types of server-only page context fields.' }] },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
  },
)
