/** Size-limit wording shared by file and download checks, so both read the same in the run summary. */

const KB = 1024;
const MB = 1024 * 1024;

/** "12.3 MB", "10 MB", "640 KB" (below 1 MB KB reads better than "0.6 MB"). */
export function formatSize(bytes: number, decimals = 1): string {
  if (bytes < MB) return `${Math.max(1, Math.round(bytes / KB))} KB`;
  const scale = 10 ** decimals;
  const rounded = Math.round((bytes / MB) * scale) / scale;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(decimals)} MB`;
}

/**
 * Skip reason for something over the limit; names the setting that raises it.
 * `size` is null when a download was cut off before its full size was known.
 */
export function overLimitReason(what: 'file' | 'download', size: number | null, maxBytes: number): string {
  const max = formatSize(maxBytes);
  const limit = `the ${max} limit (LOADER_MAX_FILE_MB)`;
  if (size === null) return `${what} is over ${limit}`;
  // 10.04 MB would round to "10 MB, over the 10 MB limit": show more digits rather than a contradiction.
  let shown = formatSize(size);
  for (let d = 2; shown === max && d <= 4; d++) shown = formatSize(size, d);
  return `${what} is ${shown}, over ${limit}`;
}
