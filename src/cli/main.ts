#!/usr/bin/env node
/**
 * The `kubekit` command.
 *
 * @packageDocumentation
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadManifests, ManifestError } from '../api/manifest.js';

/** Where the CLI writes; tests pass their own. @internal */
export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly readFile: (path: string) => string;
}

const USAGE = `kubekit — Kubernetes-style orchestrators from composable parts

Usage:
  kubekit validate -f FILE [-f FILE ...]   check manifests (YAML or JSON; - for stdin) as the API server
                                           would: strict fields, defaulting, validation
  kubekit version                          print the version
  kubekit up                               the all-in-one orchestrator (needs the API server)
  kubekit help                             this text
`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Run the CLI; returns the exit code. @internal */
export function run(argv: readonly string[], io: CliIO): number {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    case 'version':
    case '--version':
      io.out(`kubekit ${version()}`);
      return 0;
    case 'validate':
      return validate(rest, io);
    case 'up':
      io.err('kubekit up: the all-in-one orchestrator serves the Kubernetes API, and kubekit has no API server yet.');
      io.err('Run `npm start` in a kubekit checkout for the in-process local cluster meanwhile.');
      return 1;
    default:
      io.err(`kubekit: unknown command ${JSON.stringify(command)}; run \`kubekit help\` for the commands`);
      return 2;
  }
}

function validate(args: readonly string[], io: CliIO): number {
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-f' || a === '--filename') {
      const f = args[++i];
      if (f === undefined) {
        io.err('kubekit validate: -f needs a file name (or - for stdin)');
        return 2;
      }
      files.push(f);
    } else if (a.startsWith('-f=') || a.startsWith('--filename=')) files.push(a.slice(a.indexOf('=') + 1));
    else if (!a.startsWith('-')) files.push(a);
    else {
      io.err(`kubekit validate: unknown flag ${a}`);
      return 2;
    }
  }
  if (files.length === 0) {
    io.err('kubekit validate: give at least one manifest with -f FILE');
    return 2;
  }
  let failed = false;
  for (const f of files) {
    let text: string;
    try {
      text = io.readFile(f === '-' ? '/dev/stdin' : f);
    } catch (err) {
      io.err(`${f}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
      failed = true;
      continue;
    }
    try {
      for (const o of loadManifests(text, { source: f })) {
        const ns = o.object.metadata.namespace;
        io.out(`${f}: ${o.type.kind}/${o.object.metadata.name ?? o.object.metadata.generateName ?? ''}${ns !== undefined ? ` (namespace ${ns})` : ''} is valid`);
      }
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      io.err(err.message);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** True when this module is the program (npm installs bins as symlinks: compare real paths). */
function isMain(): boolean {
  const argv1 = process.argv[1];
  if (argv1 === undefined) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = run(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    readFile: (p) => readFileSync(p, 'utf8'),
  });
}
