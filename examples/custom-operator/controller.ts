// The Website controller: observe → plan → apply.
//   observe: the Website (ctx.object) and its children from the controller's caches;
//   plan:    pure functions below (desiredConfigMap, desiredDeployment, websiteStatus);
//   apply:   create or update only what differs, then write status.
// External state (a DNS record) is released by a finalizer before the Website goes.
import { isDeepStrictEqual } from 'node:util';
import { castDraft, produce } from 'immer';
import {
  Action,
  ConfigMap,
  Deployment,
  StoreError,
  TerminalError,
  controllerFor,
  finalizer,
  type ControllerDefinition,
  type KubeObject,
  type OwnerReference,
  type ReconcileContext,
} from '../../src/index.js';
import type { DnsRegistry } from './dns.js';
import { Website, type WebsiteCondition, type WebsiteStatus } from './website.js';

/** The finalizer that holds a Website until its DNS record is removed. */
export const DNS_FINALIZER = 'example.com/dns-record';

/** What the controller needs besides the cluster: its external systems. */
export interface WebsiteContext {
  readonly dns: DnsRegistry;
  /** The DNS zone Websites are published under (default `example.com`). */
  readonly zone?: string;
}

/** The host name a Website is published as: `<name>.<namespace>.<zone>`. */
export function hostOf(site: Website, zone = 'example.com'): string {
  return `${site.metadata.name}.${site.metadata.namespace}.${zone}`;
}

export const configMapName = (site: Website): string => `${site.metadata.name}-content`;

/** Labels on every child, and the Deployment's selector. */
export function labelsFor(site: Website): Record<string, string> {
  return { 'app.kubernetes.io/name': 'website', 'app.kubernetes.io/instance': site.metadata.name ?? '' };
}

/** The controller ownerReference children carry: garbage collection deletes them with the Website. */
export function ownerRefTo(site: Website): OwnerReference {
  return { apiVersion: Website.apiVersion, kind: Website.kind, name: site.metadata.name ?? '', uid: site.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** True when `child`'s controller ownerReference points at `site` (by uid). */
export function isControlledBy(child: KubeObject, site: Website): boolean {
  return (child.metadata.ownerReferences ?? []).some((o) => o.controller === true && o.uid === site.metadata.uid);
}

/** Plan: the ConfigMap holding the page. */
export function desiredConfigMap(site: Website): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapName(site), namespace: site.metadata.namespace, labels: labelsFor(site), ownerReferences: [ownerRefTo(site)] },
    data: { 'index.html': site.spec.message },
  };
}

/** Plan: the Deployment serving the page from the ConfigMap. */
export function desiredDeployment(site: Website): Deployment {
  const labels = labelsFor(site);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: site.metadata.name, namespace: site.metadata.namespace, labels, ownerReferences: [ownerRefTo(site)] },
    spec: {
      replicas: site.spec.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'web',
              image: site.spec.image,
              ports: [{ name: 'http', containerPort: 80 }],
              volumeMounts: [{ name: 'content', mountPath: '/usr/share/nginx/html', readOnly: true }],
            },
          ],
          volumes: [{ name: 'content', configMap: { name: configMapName(site) } }],
        },
      },
    },
  };
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Plan: the Website's status from its Deployment. Ready is True once the Deployment has
 * seen its latest spec and has at least `spec.replicas` available replicas. A condition's
 * lastTransitionTime changes only when its status does.
 */
export function websiteStatus(site: Website, deployment: Deployment | undefined, now: number): WebsiteStatus {
  const generation = site.metadata.generation ?? 1;
  const want = site.spec.replicas;
  let status: WebsiteCondition['status'] = 'False';
  let reason: string;
  let message: string;
  if (deployment === undefined) {
    reason = 'DeploymentMissing';
    message = `Deployment ${site.metadata.name} does not exist yet`;
  } else {
    const available = deployment.status?.availableReplicas ?? 0;
    const current = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 1);
    if (!current) {
      reason = 'RollingOut';
      message = `Deployment ${site.metadata.name} has not observed its latest spec yet`;
    } else if (available < want) {
      reason = 'RollingOut';
      message = `${available}/${want} replicas available`;
    } else {
      status = 'True';
      reason = 'Available';
      message = `${available}/${want} replicas available`;
    }
  }
  const previous = site.status?.conditions?.find((c) => c.type === 'Ready');
  const ready: WebsiteCondition = {
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: previous !== undefined && previous.status === status ? previous.lastTransitionTime : rfc3339(now),
    observedGeneration: generation,
  };
  const others = (site.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
  return { readyReplicas: deployment?.status?.readyReplicas ?? 0, observedGeneration: generation, conditions: [...others, ready] };
}

async function ensureConfigMap(ctx: ReconcileContext<Website>, site: Website): Promise<void> {
  const want = desiredConfigMap(site);
  const existing = ctx.cache(ConfigMap).getByName(site.metadata.namespace, configMapName(site));
  if (existing === undefined) {
    await ctx.client.create(ConfigMap, want);
    return;
  }
  if (!isControlledBy(existing, site)) throw new TerminalError(`ConfigMap ${configMapName(site)} exists and is not controlled by Website ${site.metadata.name}; delete or rename it`);
  const next = produce(existing, (d) => {
    if (d.data?.['index.html'] !== site.spec.message) d.data = { ...d.data, 'index.html': site.spec.message };
  });
  if (next !== existing) await ctx.client.update(ConfigMap, next);
}

async function ensureDeployment(ctx: ReconcileContext<Website>, site: Website): Promise<Deployment> {
  const want = desiredDeployment(site);
  const existing = ctx.cache(Deployment).getByName(site.metadata.namespace, site.metadata.name ?? '');
  if (existing === undefined) return ctx.client.create(Deployment, want);
  if (!isControlledBy(existing, site)) throw new TerminalError(`Deployment ${site.metadata.name} exists and is not controlled by Website ${site.metadata.name}; delete or rename it`);
  const wantContainer = want.spec?.template.spec?.containers[0];
  const next = produce(existing, (d) => {
    if (d.spec === undefined || wantContainer === undefined) return;
    if (d.spec.replicas !== site.spec.replicas) d.spec.replicas = site.spec.replicas;
    const containers = d.spec.template.spec?.containers ?? [];
    const web = containers.find((c) => c.name === 'web');
    if (web === undefined) containers.push(castDraft(wantContainer));
    else if (web.image !== site.spec.image) web.image = site.spec.image;
  });
  if (next !== existing) await ctx.client.update(Deployment, next);
  return existing;
}

async function applyWebsite(ctx: ReconcileContext<Website>, context: WebsiteContext, site: Website): Promise<Action> {
  const host = hostOf(site, context.zone);
  if (await context.dns.upsert(host, `${site.metadata.name}.${site.metadata.namespace}.svc`)) {
    ctx.recorder.event(site, 'Normal', 'DnsRecordRegistered', `registered ${host}`);
  }
  await ensureConfigMap(ctx, site);
  const deployment = await ensureDeployment(ctx, site);
  const status = websiteStatus(site, deployment, ctx.clock.now());
  if (!isDeepStrictEqual(status, site.status)) await ctx.client.updateStatus(Website, { ...site, status });
  return Action.awaitChange();
}

/**
 * Conflict (we wrote from a stale read) and AlreadyExists (we created what our cache had
 * not seen yet) both mean the cache is behind the store. The event that brings it up to
 * date enqueues this Website again (it is the primary object or a child it owns, and no
 * predicate filters them), so wait for it instead of reporting an error and backing off.
 */
export function isStaleCache(err: unknown): boolean {
  return err instanceof StoreError && (err.code === 'Conflict' || err.code === 'AlreadyExists');
}

async function cleanupWebsite(ctx: ReconcileContext<Website>, context: WebsiteContext, site: Website): Promise<Action> {
  const host = hostOf(site, context.zone);
  if (await context.dns.remove(host)) ctx.recorder.event(site, 'Normal', 'DnsRecordDeleted', `removed ${host}`);
  return Action.awaitChange();
}

/**
 * The Website controller: reconciles Websites and re-runs when their ConfigMap or
 * Deployment changes. A factory, so that its external systems are passed in (and faked in
 * tests) rather than imported.
 */
export function websiteController(context: WebsiteContext): ControllerDefinition<Website> {
  return controllerFor(Website)
    .owns(ConfigMap)
    .owns(Deployment)
    .reconcile((ctx) =>
      finalizer(ctx, Website, DNS_FINALIZER, {
        apply: (site) =>
          applyWebsite(ctx, context, site).catch((err: unknown) => {
            if (!isStaleCache(err)) throw err;
            ctx.logger.debug('cache was behind the store; waiting for it to catch up', { error: err });
            return Action.awaitChange();
          }),
        cleanup: (site) => cleanupWebsite(ctx, context, site),
      }),
    );
}
