import type { KubeObject, ResourceType } from '../api/resource.js';
import type { FieldError } from '../api/schema/decode.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The metadata checks the store applies to every kind, built-in or custom: a valid object
 * name (DNS-1123 subdomain, at most 253 characters). Kinds' own strategies add the rest.
 *
 * @internal
 */
export function validateObjectMetaBasics(type: ResourceType, obj: KubeObject): FieldError[] {
  if (type.definition !== undefined) return [];
  const name = obj.metadata.name ?? '';
  const errors: FieldError[] = [];
  if (name.length > 253) errors.push({ path: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: must be no more than 253 characters` });
  else if (!DNS1123_SUBDOMAIN.test(name)) {
    errors.push({ path: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')` });
  }
  return errors;
}
