import nx from '@nx/eslint-plugin';

/**
 * Which project may depend on which: api -> delivery -> health-archive -> viatom-client -> viatom-protocol;
 * api -> fhir (archive records as FHIR R4, pure) -> viatom-protocol;
 * the protocol lib depends on nothing of ours, the sandbox only on the protocol lib, the console on none of them.
 */
const productionConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:delivery', 'type:fhir', 'type:domain', 'type:client', 'type:protocol'] },
  { sourceTag: 'type:fhir', onlyDependOnLibsWithTags: ['type:protocol'] },
  { sourceTag: 'type:delivery', onlyDependOnLibsWithTags: ['type:domain', 'type:protocol'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:client', 'type:protocol'] },
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:protocol'] },
  { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:protocol'] },
  // The console shares nothing with the rest but the committed OpenAPI document (its types are generated from it).
  { sourceTag: 'type:console', onlyDependOnLibsWithTags: [] },
];

/**
 * Tests may also use the Viatom sandbox (a tool), which stands in for Viatom, and the archive's
 * test support. The protocol lib's tests stay pure: no sandbox, nothing of ours.
 */
const testConstraints = productionConstraints.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags:
    c.sourceTag === 'type:protocol'
      ? c.onlyDependOnLibsWithTags
      : [
          ...c.onlyDependOnLibsWithTags,
          'type:tool',
          ...(c.sourceTag === 'type:app' ? [] : ['type:domain']),
          // The delivery lib's tests boot the archive, whose module needs the Viatom client.
          ...(c.sourceTag === 'type:delivery' ? ['type:client'] : []),
        ],
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
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(productionConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec.tsx', '**/test/**/*.ts', '**/src/testing.ts', '**/src/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(testConstraints),
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
];
