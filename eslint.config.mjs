import nx from '@nx/eslint-plugin';

/** Which project may depend on which: api -> health-archive -> viatom-client; the sandbox only on the client's wire types. */
const productionConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:client'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:client'] },
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:client'] },
];

/** Tests may also use the Viatom sandbox (a tool), which stands in for Viatom. */
const testConstraints = productionConstraints.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:tool', ...(c.sourceTag === 'type:app' ? [] : ['type:domain'])],
}));

const boundaries = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints, banTransitiveDependencies: false },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/tmp', '**/.nx', '**/webpack.config.js', '**/jest.config.js'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(productionConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/src/testing.ts', '**/src/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(testConstraints),
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
];
