/**
 * Where a Hugging Face token may go. HF_TOKEN is an account credential (it can read private models and
 * spend inference credit), so it is sent only to Hugging Face's own hosts, and only over https; any other
 * endpoint (a self-hosted TEI, a gateway) gets its own token (RERANK_TOKEN) or none.
 */

/** huggingface.co and its subdomains (router., api-inference.), Spaces (*.hf.space), dedicated Inference Endpoints. */
const HF_SUFFIXES = ['.huggingface.co', '.hf.space', '.endpoints.huggingface.cloud'];

/** Whether `url` is an https URL on a Hugging Face host (a look-alike such as huggingface.co.evil.test is not). */
export function isHuggingFaceUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:') return false;
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  return host === 'huggingface.co' || HF_SUFFIXES.some((s) => host.endsWith(s));
}
