// The layers of the tree and the one direction imports may go (docs/architecture.md draws them).
// `npm run lint` runs this through dependency-cruiser; a new upward import or a folder cycle fails CI.
// Top to bottom: a folder may import itself and any folder below it, never one above.
const LAYERS = ['app', 'demo', 'dashboard', 'bot', 'activities', 'services', 'readmodels', 'infra', 'workflows', 'domain'];

const upward = LAYERS.slice(1).map((layer, i) => ({
  name: `${layer}-imports-downward`,
  comment: `${layer}/ may import only ${LAYERS.slice(i + 2).join(', ') || 'libraries'}: a folder above it (${LAYERS.slice(0, i + 1).join(', ')}) would make a cycle of layers.`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: `^(${LAYERS.slice(0, i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'workflows-deterministic',
      comment: 'Workflows import domain rules and activity types only (Temporal replays them).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(activities|services|readmodels|infra|bot|dashboard|demo|app)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-pure',
      comment: 'domain/ is pure rules: no database, no Temporal client, no HTTP.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: '(^prisma/|node_modules/(@prisma|pg|@temporalio/(client|worker|activity)|fastify|grammy|@larksuiteoapi)/)' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders (at every depth) must not import each other in a circle.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|prisma/generated)/' },
    // Runtime imports: `import type` is erased (workflows use activity types by design).
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
