/**
 * Where a V8 CPU profile (the probe's, or `node --cpu-prof`'s) spent its time: self time by
 * function and by package, and total (inclusive) time by function.
 *
 *   node -r @swc-node/register bench/profile-summary.ts bench/.work/profiles/<file>.cpuprofile [top]
 */
import { frameLabel as label, loadProfile, packageOf } from './lib/cpu-profile';

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  const top = Number(topArg ?? 30);
  const profile = loadProfile(file);
  const { byId, parentOf: parent } = profile;
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id)!;
    selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + time);
    const pkg = packageOf(node.callFrame.url);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + time);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = label(byId.get(cur)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + time);
    }
  }
  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((time / total) * 100).toFixed(1).padStart(6)}%  ${(time / 1000).toFixed(0).padStart(7)} ms  ${name}`);
    }
  };
  const callersOf = process.env.CALLERS;
  if (callersOf) {
    // Self time of functions named CALLERS, by the chain of their callers (up to 6 frames).
    const chains = new Map<string, number>();
    for (const [id, time] of self) {
      const node = byId.get(id)!;
      if (node.callFrame.functionName !== callersOf) continue;
      const chain: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && chain.length < 6; cur = parent.get(cur)) chain.push(label(byId.get(cur)!));
      const key = chain.join(' < ');
      chains.set(key, (chains.get(key) ?? 0) + time);
    }
    for (const [chain, time] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`${(time / 1000).toFixed(0).padStart(6)} ms  ${chain}`);
    return;
  }
  console.log(`total sampled: ${(total / 1000).toFixed(0)} ms`);
  print('self time by package', selfByPackage);
  print('self time by function', selfByFunction);
  print('inclusive time by function', inclusive);
}

main();
