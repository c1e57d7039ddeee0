// The Website custom resource: a typed kind defined with io-ts codecs, no code generation.
// `Website` is both the ResourceType value (for clients, controllers, the store) and the
// TypeScript type of its objects.
import * as t from 'io-ts';
import { defineResource, strict, type FieldError, type ObjectOf } from '../../src/index.js';

/** A status condition, as metav1.Condition. */
export const WebsiteCondition = strict(
  {
    type: t.string,
    status: t.keyof({ True: null, False: null, Unknown: null }),
    reason: t.string,
    message: t.string,
    lastTransitionTime: t.string,
  },
  { observedGeneration: t.number },
  'WebsiteCondition',
);
export type WebsiteCondition = t.TypeOf<typeof WebsiteCondition>;

/** What the user asks for: how many replicas of which web server image, serving which message. */
export const WebsiteSpec = strict({ replicas: t.number, image: t.string, message: t.string }, {}, 'WebsiteSpec');
export type WebsiteSpec = t.TypeOf<typeof WebsiteSpec>;

/** What the controller reports back, through the status subresource. */
export const WebsiteStatus = strict(
  {},
  { readyReplicas: t.number, observedGeneration: t.number, conditions: t.readonlyArray(WebsiteCondition) },
  'WebsiteStatus',
);
export type WebsiteStatus = t.TypeOf<typeof WebsiteStatus>;

/** The most replicas a Website may ask for. */
export const MAX_REPLICAS = 50;
/** ConfigMaps hold at most 1 MiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Validate a Website spec beyond its types: every problem, with its field path. The store
 * runs it (as the API server runs a CRD's validation) and refuses the write with `Invalid`.
 */
export function validateWebsiteSpec(spec: WebsiteSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (!Number.isInteger(spec.replicas) || spec.replicas < 0 || spec.replicas > MAX_REPLICAS) {
    errors.push({ path: 'spec.replicas', message: `must be an integer from 0 to ${MAX_REPLICAS}, got ${spec.replicas}` });
  }
  if (spec.image.trim() === '' || /\s/.test(spec.image)) {
    errors.push({ path: 'spec.image', message: `must be a container image reference without spaces, got ${JSON.stringify(spec.image)}` });
  }
  if (Buffer.byteLength(spec.message, 'utf8') > MAX_MESSAGE_BYTES) {
    errors.push({ path: 'spec.message', message: `must be at most ${MAX_MESSAGE_BYTES} bytes (it is stored in a ConfigMap)` });
  }
  return errors;
}

/** The Website kind: example.com/v1, namespaced, with status and scale subresources. */
export const Website = defineResource({
  group: 'example.com',
  version: 'v1',
  kind: 'Website',
  shortNames: ['ws'],
  spec: WebsiteSpec,
  status: WebsiteStatus,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.readyReplicas' },
  printerColumns: [
    { name: 'Replicas', type: 'integer', priority: 0, value: (w) => w.spec.replicas },
    { name: 'Ready', type: 'string', priority: 0, value: (w) => w.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown' },
    { name: 'Image', type: 'string', priority: 1, value: (w) => w.spec.image },
  ],
  strategy: { validate: (site) => validateWebsiteSpec(site.spec) },
});
export type Website = ObjectOf<typeof Website>;
