import { readFileSync } from 'node:fs';

/** Resident set size of a process in bytes, from /proc (Linux); 0 when it cannot be read. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the RSS of this process and of other pids every `intervalMs`, keeping each one's peak and the
 * peak of their sum (what "Docent plus its Chroma server" costs at its worst moment).
 */
export function startRssSampler(otherPids: () => Array<number | undefined>, intervalMs = 50) {
  let peakSelf = 0;
  let peakOthers = 0;
  let peakSum = 0;
  const sample = () => {
    const self = rssBytes(process.pid);
    const others = otherPids().reduce<number>((s, pid) => s + (pid ? rssBytes(pid) : 0), 0);
    peakSelf = Math.max(peakSelf, self);
    peakOthers = Math.max(peakOthers, others);
    peakSum = Math.max(peakSum, self + others);
  };
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakSelf, peakOthers, peakSum };
    },
  };
}
