/** A V8 CPU profile (the probe's, or `node --cpu-prof`'s), as bench/profile-summary.ts and bench/long-tasks.ts read it. */
import { readFileSync } from 'node:fs';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** µs since the previous sample, one per sample. */
  timeDeltas: number[];
}

export interface LoadedProfile extends CpuProfile {
  byId: Map<number, ProfileNode>;
  parentOf: Map<number, number>;
}

export function loadProfile(file: string): LoadedProfile {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  return { ...profile, byId, parentOf };
}

/** The package a frame's code belongs to (`@mikro-orm/core`, `node`), or its file under src/. */
export function packageOf(url: string): string {
  if (!url) return '(native)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.startsWith('node:')) return 'node';
  const src = /\/(src\/[^/]+\/[^/]+)/.exec(url);
  return src ? src[1] : url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

/** `function package:line`. */
export const frameLabel = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${packageOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
