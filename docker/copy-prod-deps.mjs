// Copies the runtime dependency closure of one workspace out of an installed monorepo, for the
// image's final stage: node docker/copy-prod-deps.mjs <repo> <workspace dir> <out>
//
// Why not `npm ci --omit=dev`: npm treats every workspace's dependencies as production ones, so the
// shared eslint-config's typescript-eslint and TypeScript would ship; and optional peers that a dev
// tool happens to install (e.g. @grpc/grpc-js, an optional peer of @nestjs/terminus that
// testcontainers brings) would ship too. This walks what Node would resolve at run time instead:
// `dependencies`, installed `optionalDependencies`, and non-optional `peerDependencies`.
// Type declarations and source maps of dependencies are left out; nothing loads them at run time.
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const [repoArg, workspaceArg, outArg] = process.argv.slice(2);
if (!repoArg || !workspaceArg || !outArg) {
  console.error('usage: node copy-prod-deps.mjs <repo> <workspace dir> <out>');
  process.exit(2);
}
const repo = realpathSync(resolve(repoArg));
const workspace = realpathSync(resolve(repo, workspaceArg));
const out = resolve(outArg);

/** Node's lookup: <from>/node_modules/<name>, then each parent's, up to the repository root. */
function resolvePackage(from, name) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === repo || !dir.startsWith(repo + sep)) return undefined;
  }
}

const readManifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
// Skips nested node_modules (walked on their own) and files nobody loads at run time.
const keep = (src) => {
  const base = src.slice(src.lastIndexOf(sep) + 1);
  return base !== 'node_modules' && !/\.(d\.[cm]?ts|map)$/.test(base);
};

const seen = new Set();
const copied = [];
function visit(pkgDir, isRoot) {
  const real = realpathSync(pkgDir);
  if (seen.has(pkgDir)) return;
  seen.add(pkgDir);
  const manifest = readManifest(real);
  if (!isRoot) {
    const target = join(out, relative(repo, pkgDir));
    if (lstatSync(pkgDir).isSymbolicLink()) {
      // A workspace package used at run time: ship it as a real directory in the link's place.
      mkdirSync(dirname(target), { recursive: true });
    }
    cpSync(real, target, { recursive: true, filter: keep });
    copied.push(relative(repo, pkgDir));
  }
  const optionalPeers = manifest.peerDependenciesMeta ?? {};
  // A workspace that ships a bundle names the few packages the bundle leaves to Node at run time
  // (apps/visits/package.json `bundleExternal`, read by its rolldown.config.js too): only those go.
  const wanted =
    isRoot && Array.isArray(manifest.bundleExternal)
      ? manifest.bundleExternal.map((name) => [name, true])
      : [
          ...Object.keys(manifest.dependencies ?? {}).map((name) => [name, true]),
          ...Object.keys(manifest.optionalDependencies ?? {}).map((name) => [name, false]),
          // Optional peers are the host's choice: present only when a dev tool pulled them in.
          ...Object.keys(manifest.peerDependencies ?? {})
            .filter((name) => !optionalPeers[name]?.optional)
            .map((name) => [name, true]),
        ];
  for (const [name, required] of wanted) {
    const found = resolvePackage(real, name);
    if (found) visit(found, false);
    else if (required) {
      console.error(`copy-prod-deps: ${manifest.name} needs ${name}, which is not installed`);
      process.exit(1);
    }
  }
}

visit(workspace, true);
console.log(`copy-prod-deps: ${copied.length} packages copied to ${out}`);
