/**
 * The base of every error kubekit throws.
 *
 * Each module has its own family (`StoreError`, `DecodeError`, …) deriving from this class.
 * Every error carries a stable string `code` to branch on, a message that says what to do,
 * and, where one exists, the underlying `cause`.
 *
 * @public
 */
export class KubekitError extends Error {
  /** A stable, machine-readable code (for store errors: the Kubernetes Status reason). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}
