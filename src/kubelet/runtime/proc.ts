import { readFileSync, readdirSync } from 'node:fs';

/** One process as /proc describes it. */
export interface ProcInfo {
  readonly pid: number;
  readonly pgrp: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly cpuTicks: number;
}

/** Clock ticks per second for /proc CPU times (USER_HZ; 100 on every Linux we target). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Whether /proc is available (Linux). */
export function hasProcfs(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

/** Parse /proc/<pid>/stat; `undefined` when the process is gone. */
export function readStat(pid: number): ProcInfo | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may contain spaces or parentheses itself.
  const close = raw.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = raw.slice(close + 2).split(' ');
  // f[0]=state f[1]=ppid f[2]=pgrp … f[11]=utime f[12]=stime f[13]=cutime f[14]=cstime
  if (f[0] === 'Z' || f[0] === 'X') return undefined;
  return { pid, pgrp: Number(f[2]), cpuTicks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
}

/** VmRSS of a process in bytes (0 when gone or a kernel thread). */
export function readRssBytes(pid: number): number {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(raw);
  return m ? Number(m[1]) * 1024 : 0;
}

/** The live (non-zombie) processes of the given process groups, by group id. */
export function processesByGroup(groups: ReadonlySet<number>): Map<number, ProcInfo[]> {
  const out = new Map<number, ProcInfo[]>();
  if (groups.size === 0) return out;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = readStat(Number(name));
    if (info === undefined || !groups.has(info.pgrp)) continue;
    const list = out.get(info.pgrp);
    if (list === undefined) out.set(info.pgrp, [info]);
    else list.push(info);
  }
  return out;
}

/** Whether any process (zombies excluded) is still in process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  return (processesByGroup(new Set([pgid])).get(pgid)?.length ?? 0) > 0;
}
