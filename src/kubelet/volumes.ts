import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { ConfigMap, Container, KeyToPath, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from '../api/generated/types.js';
import { KubeletError } from './errors.js';
import { podFieldValue, resourceFieldValue, secretEntries, type ObjectLookup } from './env.js';
import type { Mount } from './runtime/types.js';

/** {@link ObjectLookup} plus the storage objects volumes need. @public */
export interface VolumeLookup extends ObjectLookup {
  persistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<PersistentVolume | undefined>;
}

/** What volume set-up needs besides the pod. @public */
export interface VolumeContext {
  readonly pod: Pod;
  /** The pod's directory under the kubelet's root (`<root>/pods/<uid>`). */
  readonly podDir: string;
  readonly podIP: string;
  readonly hostIP: string;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly lookup: VolumeLookup;
}

interface FileSpec {
  readonly path: string;
  readonly content: string | Buffer;
  readonly mode: number;
}

function volumeError(ctx: VolumeContext, message: string): KubeletError {
  return new KubeletError('CreateContainerConfigError', `pod ${ctx.pod.metadata.namespace ?? 'default'}/${ctx.pod.metadata.name ?? ''}: ${message}`);
}

function safeRelative(ctx: VolumeContext, path: string): string {
  const n = normalize(path);
  if (n.startsWith('..') || n.startsWith('/') || n === '.') throw volumeError(ctx, `volume item path ${JSON.stringify(path)} must be a relative path inside the volume without '..'.`);
  return n;
}

function keyedFiles(ctx: VolumeContext, entries: readonly [string, string | Buffer][], items: readonly KeyToPath[] | undefined, mode: number, what: string, optional: boolean): FileSpec[] {
  const map = new Map(entries);
  if (items === undefined || items.length === 0) return entries.map(([k, v]) => ({ path: k, content: v, mode }));
  const out: FileSpec[] = [];
  for (const item of items) {
    const v = map.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw volumeError(ctx, `configuration key ${JSON.stringify(item.key)} not found in ${what}.`);
    }
    out.push({ path: safeRelative(ctx, item.path), content: v, mode: item.mode ?? mode });
  }
  return out;
}

function configMapEntries(cm: ConfigMap): [string, string | Buffer][] {
  return [...Object.entries(cm.data ?? {}), ...Object.entries(cm.binaryData ?? {}).map(([k, v]): [string, Buffer] => [k, Buffer.from(v, 'base64')])];
}

async function configMapFiles(ctx: VolumeContext, name: string, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean): Promise<FileSpec[]> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const cm = await ctx.lookup.configMap(ns, name);
  if (cm === undefined) {
    if (optional) return [];
    throw volumeError(ctx, `configmap ${JSON.stringify(name)} not found; create it or mark the volume optional.`);
  }
  return keyedFiles(ctx, configMapEntries(cm), items, mode, `ConfigMap ${ns}/${name}`, optional);
}

async function secretFiles(ctx: VolumeContext, name: string, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean): Promise<FileSpec[]> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const s: Secret | undefined = await ctx.lookup.secret(ns, name);
  if (s === undefined) {
    if (optional) return [];
    throw volumeError(ctx, `secret ${JSON.stringify(name)} not found; create it or mark the volume optional.`);
  }
  return keyedFiles(ctx, secretEntries(s), items, mode, `Secret ${ns}/${name}`, optional);
}

function downwardFiles(ctx: VolumeContext, items: readonly { path: string; mode?: number | undefined; fieldRef?: { fieldPath: string } | undefined; resourceFieldRef?: { containerName?: string | undefined; resource: string; divisor?: string | undefined } | undefined }[], mode: number): FileSpec[] {
  const out: FileSpec[] = [];
  for (const item of items) {
    let content = '';
    if (item.fieldRef !== undefined) content = podFieldValue(ctx.pod, item.fieldRef, ctx.podIP, ctx.hostIP);
    else if (item.resourceFieldRef !== undefined) {
      const ref = item.resourceFieldRef;
      const c = [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find((x) => x.name === ref.containerName);
      if (c === undefined) throw volumeError(ctx, `downwardAPI item ${item.path}: resourceFieldRef needs the name of a container of the pod.`);
      content = resourceFieldValue(c, ref, ctx.allocatable);
    }
    out.push({ path: safeRelative(ctx, item.path), content, mode: item.mode ?? mode });
  }
  return out;
}

/** The files a projected-style volume holds, or undefined for a directory volume. */
async function volumeFiles(ctx: VolumeContext, v: Volume): Promise<FileSpec[] | undefined> {
  if (v.configMap !== undefined) return configMapFiles(ctx, v.configMap.name ?? '', v.configMap.items, v.configMap.defaultMode ?? 0o644, v.configMap.optional === true);
  if (v.secret !== undefined) return secretFiles(ctx, v.secret.secretName ?? '', v.secret.items, v.secret.defaultMode ?? 0o644, v.secret.optional === true);
  if (v.downwardAPI !== undefined) return downwardFiles(ctx, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? 0o644);
  if (v.projected !== undefined) {
    const mode = v.projected.defaultMode ?? 0o644;
    const out: FileSpec[] = [];
    for (const src of v.projected.sources ?? []) {
      if (src.configMap !== undefined) out.push(...(await configMapFiles(ctx, src.configMap.name ?? '', src.configMap.items, mode, src.configMap.optional === true)));
      if (src.secret !== undefined) out.push(...(await secretFiles(ctx, src.secret.name ?? '', src.secret.items, mode, src.secret.optional === true)));
      if (src.downwardAPI !== undefined) out.push(...downwardFiles(ctx, src.downwardAPI.items ?? [], mode));
      if (src.serviceAccountToken !== undefined) out.push({ path: safeRelative(ctx, src.serviceAccountToken.path), content: `kubekit-token:${ctx.pod.spec?.serviceAccountName ?? 'default'}`, mode });
    }
    return out;
  }
  return undefined;
}

async function writeFiles(dir: string, files: readonly FileSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const wanted = new Set(files.map((f) => f.path));
  for (const f of files) {
    const target = join(dir, f.path);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.kubekit-tmp`;
    await writeFile(tmp, f.content, { mode: f.mode });
    await chmod(tmp, f.mode);
    await rename(tmp, target);
  }
  // Remove files of keys that are gone (top level only: items are flat in practice).
  for (const name of await readdir(dir)) if (!wanted.has(name) && ![...wanted].some((w) => w.startsWith(`${name}/`))) await rm(join(dir, name), { recursive: true, force: true });
}

/**
 * Set up (or refresh) a pod's volumes as real directories and return each volume's host path:
 * `emptyDir` → `<podDir>/volumes/kubernetes.io~empty-dir/<name>`; `hostPath` → the path (created
 * for `DirectoryOrCreate`); `configMap`, `secret`, `downwardAPI`, `projected` → files written under
 * `<podDir>/volumes/…` with their modes (rewritten on every call, so changed objects show up, and
 * files of removed keys deleted); `persistentVolumeClaim` → the bound PV's `hostPath` / `local` path.
 *
 * Errors: `KubeletError` `CreateContainerConfigError` when a referenced object is missing (and
 * not optional) or a claim is not bound.
 * @public
 */
export async function setupVolumes(ctx: VolumeContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of ctx.pod.spec?.volumes ?? []) {
    if (v.hostPath !== undefined) {
      if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
      out.set(v.name, v.hostPath.path);
      continue;
    }
    if (v.persistentVolumeClaim !== undefined) {
      const ns = ctx.pod.metadata.namespace ?? 'default';
      const claim = v.persistentVolumeClaim.claimName;
      const pvc = await ctx.lookup.persistentVolumeClaim(ns, claim);
      if (pvc === undefined) throw volumeError(ctx, `persistentvolumeclaim ${JSON.stringify(claim)} not found.`);
      const pvName = pvc.spec?.volumeName;
      if (pvName === undefined || pvName === '') throw volumeError(ctx, `persistentvolumeclaim ${JSON.stringify(claim)} is not bound yet; wait for a PersistentVolume to be bound to it.`);
      const pv = await ctx.lookup.persistentVolume(pvName);
      const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
      if (path === undefined) throw volumeError(ctx, `persistentvolume ${JSON.stringify(pvName)} has no hostPath or local path; only those can be mounted by this kubelet.`);
      await mkdir(path, { recursive: true });
      out.set(v.name, path);
      continue;
    }
    const files = await volumeFiles(ctx, v);
    if (files !== undefined) {
      const plugin = v.configMap !== undefined ? 'configmap' : v.secret !== undefined ? 'secret' : v.downwardAPI !== undefined ? 'downward-api' : 'projected';
      const dir = join(ctx.podDir, 'volumes', `kubernetes.io~${plugin}`, v.name);
      await writeFiles(dir, files);
      out.set(v.name, dir);
      continue;
    }
    // emptyDir, and any other source: a per-pod directory.
    const dir = join(ctx.podDir, 'volumes', 'kubernetes.io~empty-dir', v.name);
    await mkdir(dir, { recursive: true });
    out.set(v.name, dir);
  }
  return out;
}

/** Whether a pod has volumes whose content follows API objects (configMap, secret, projected, downwardAPI). @internal */
export function hasLiveVolumes(pod: Pod): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.configMap !== undefined || v.secret !== undefined || v.projected !== undefined || v.downwardAPI !== undefined);
}

/**
 * The runtime mounts of a container from its `volumeMounts` and the pod's volume paths
 * (`subPath` appended). Errors: `InvalidPod` for a mount of an unknown volume.
 * @public
 */
export function containerMounts(container: Container, volumePaths: ReadonlyMap<string, string>): Mount[] {
  return (container.volumeMounts ?? []).map((m) => {
    const base = volumePaths.get(m.name);
    if (base === undefined) throw new KubeletError('InvalidPod', `container ${container.name}: volumeMount ${JSON.stringify(m.name)} names no volume of the pod; add it to spec.volumes.`);
    return { hostPath: m.subPath !== undefined && m.subPath !== '' ? join(base, m.subPath) : base, containerPath: m.mountPath, ...(m.readOnly === true ? { readOnly: true } : {}) };
  });
}

/** Remove a pod's directory (its emptyDirs and projected files). @public */
export async function removePodDir(podDir: string): Promise<void> {
  await rm(podDir, { recursive: true, force: true });
}
