import { schemaCodec } from './codecs.js';
import { builtinResources } from './generated/resources.js';
import { apiVersionOf, type KubeObject, type PrinterColumn, type ResourceStrategy, type ResourceType, type ScaleSubresource } from './resource.js';
import { builtinStrategies } from './strategy/index.js';
import { builtinPrinterColumns } from './printers.js';

/** kubectl's short names for built-in resources. */
const SHORT_NAMES: { readonly [plural: string]: readonly string[] } = {
  configmaps: ['cm'], endpoints: ['ep'], events: ['ev'], limitranges: ['limits'], namespaces: ['ns'],
  nodes: ['no'], persistentvolumeclaims: ['pvc'], persistentvolumes: ['pv'], pods: ['po'],
  replicationcontrollers: ['rc'], resourcequotas: ['quota'], serviceaccounts: ['sa'], services: ['svc'],
  customresourcedefinitions: ['crd', 'crds'], daemonsets: ['ds'], deployments: ['deploy'], replicasets: ['rs'],
  statefulsets: ['sts'], horizontalpodautoscalers: ['hpa'], cronjobs: ['cj'], ingresses: ['ing'],
  networkpolicies: ['netpol'], poddisruptionbudgets: ['pdb'], priorityclasses: ['pc'], storageclasses: ['sc'],
  ipaddresses: ['ip'],
};

/** Resources in kubectl's `all` category (`kubectl get all`). */
const CATEGORY_ALL = new Set([
  'pods', 'services', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs',
  'horizontalpodautoscalers', 'replicationcontrollers',
]);

const SCALE: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

/**
 * The ResourceType of a built-in resource, from the generated REST table plus kubectl's
 * names and the kind's strategy (defaulting and validation).
 *
 * @internal
 */
export function builtinKind<T extends KubeObject>(group: string, plural: string): ResourceType<T> {
  const spec = builtinResources.find((r) => r.group === group && r.plural === plural);
  if (spec === undefined) throw new Error(`no built-in resource ${plural}.${group}`);
  const codec = schemaCodec<T>(spec.definition);
  // The tables are keyed by kind at run time; each entry was written for that kind's type.
  const strategy = (builtinStrategies[`${group}/${spec.kind}`] ?? {}) as unknown as ResourceStrategy<T>;
  const columns: readonly PrinterColumn<T>[] = builtinPrinterColumns[`${group}/${spec.kind}`] ?? [];
  return {
    group,
    version: spec.version,
    kind: spec.kind,
    apiVersion: apiVersionOf(group, spec.version),
    plural,
    singular: spec.kind.toLowerCase(),
    shortNames: SHORT_NAMES[plural] ?? [],
    categories: CATEGORY_ALL.has(plural) ? ['all'] : [],
    namespaced: spec.namespaced,
    codec,
    hasStatus: spec.subresources.includes('status'),
    scale: spec.subresources.includes('scale') ? SCALE : undefined,
    verbs: spec.verbs,
    subresources: spec.subresources,
    printerColumns: columns,
    strategy,
    definition: spec.definition,
    decode: (input, options) => codec.decodeWith(input, options),
  };
}
