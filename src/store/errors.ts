import type { FieldError } from '../api/schema/decode.js';
import { KubekitError } from '../util/errors.js';

/**
 * Why a store call failed. Each code is the Kubernetes `Status.reason` the API server
 * returns for it, so errors pass through the API unchanged.
 *
 * @public
 */
export type StoreErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Expired'
  | 'Gone'
  | 'BadRequest'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'TooManyRequests'
  | 'Timeout'
  | 'InternalError';

const HTTP_CODE: { readonly [K in StoreErrorCode]: number } = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Expired: 410,
  Gone: 410,
  BadRequest: 400,
  Forbidden: 403,
  MethodNotAllowed: 405,
  TooManyRequests: 429,
  Timeout: 504,
  InternalError: 500,
};

/** Identifies the object an error is about (Status.details). @public */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly { readonly field?: string; readonly message: string; readonly reason?: string }[];
  readonly retryAfterSeconds?: number;
}

/**
 * An error from the typed store. `code` is the Kubernetes Status reason; `httpStatus` its
 * HTTP code; `details` names the object and, for `Invalid`, every field error.
 *
 * @public
 */
export class StoreError extends KubekitError {
  declare readonly code: StoreErrorCode;
  readonly details: StatusDetails;

  constructor(code: StoreErrorCode, message: string, details: StatusDetails = {}, options?: { cause?: unknown }) {
    super(code, message, options);
    this.details = details;
  }

  get httpStatus(): number {
    return HTTP_CODE[this.code];
  }

  /** The field errors of an `Invalid` error (empty otherwise). */
  get fieldErrors(): readonly FieldError[] {
    return (this.details.causes ?? []).map((c) => ({ path: c.field ?? '', message: c.message }));
  }

  /** The Kubernetes `Status` object for this error, as the API server returns it. */
  toStatus(): KubeStatus {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.code,
      details: this.details,
      code: this.httpStatus,
    };
  }
}

/** A Kubernetes `Status` object (the body of every API error). @public */
export interface KubeStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: { readonly resourceVersion?: string };
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** `resource.group` as Kubernetes prints it in messages (`deployments.apps`, `pods`). @internal */
export function qualifiedResource(plural: string, group: string): string {
  return group === '' ? plural : `${plural}.${group}`;
}

/** @internal */
export const storeErrors = {
  notFound(plural: string, group: string, kind: string, name: string): StoreError {
    return new StoreError('NotFound', `${qualifiedResource(plural, group)} ${JSON.stringify(name)} not found`, { name, group, kind: plural });
  },
  alreadyExists(plural: string, group: string, name: string): StoreError {
    return new StoreError('AlreadyExists', `${qualifiedResource(plural, group)} ${JSON.stringify(name)} already exists`, { name, group, kind: plural });
  },
  conflict(plural: string, group: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): StoreError {
    return new StoreError('Conflict', `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} ${JSON.stringify(name)}: ${why}`, { name, group, kind: plural });
  },
  invalid(kind: string, group: string, name: string, errors: readonly FieldError[]): StoreError {
    const list = errors.map((e) => `${e.path}: ${e.message}`);
    const summary = list.length === 1 ? (list[0] as string) : `[${list.join(', ')}]`;
    return new StoreError('Invalid', `${group === '' ? kind : `${kind}.${group}`} ${JSON.stringify(name)} is invalid: ${summary}`, {
      name,
      group,
      kind,
      causes: errors.map((e) => ({ reason: 'FieldValueInvalid', field: e.path, message: e.message })),
    });
  },
  badRequest(message: string, causes?: readonly FieldError[]): StoreError {
    return new StoreError('BadRequest', message, causes === undefined ? {} : { causes: causes.map((e) => ({ reason: 'FieldValueInvalid', field: e.path, message: e.message })) });
  },
  expired(message: string): StoreError {
    return new StoreError('Expired', message);
  },
  forbidden(message: string, details: StatusDetails = {}): StoreError {
    return new StoreError('Forbidden', message, details);
  },
};
