import { REST, RESTEvents, type InternalRequest } from 'discord.js';

/**
 * Takes interaction responses out of discord.js's client-side global cap.
 *
 * Discord: "Interaction endpoints are not bound to the bot's Global Rate Limit"
 * (https://discord.com/developers/docs/topics/rate-limits#global-rate-limit) — the callback
 * (`/interactions/{id}/{token}/callback`) and the interaction webhook (`/webhooks/{application}/{token}/…`: edits of
 * the reply, follow-ups). @discordjs/rest 2.x counts every request against one `globalRequestsPerSecond` counter
 * per REST instance (default 50), whatever the route and whether or not it carries the bot token
 * (`SequentialHandler.runRequest` decrements `manager.globalRemaining` for each request), so streamed answers —
 * about one webhook edit a second each — queue behind that cap: 20 concurrent answers were held back dozens of
 * times a second in the bench, and it set the Discord ceiling (~12 answers/s).
 *
 * The fix keeps discord.js's per-route buckets and 429 handling: requests to interaction routes sent without
 * the bot token (discord.js sends them all with `auth: false`) are queued on a second REST instance whose global
 * cap is off, with the same options otherwise; everything else stays on the client's instance and its cap of 50.
 * A real global 429 on that second instance (which Discord should never send for these routes) is still honoured
 * there. Its events are re-emitted on the client's instance, so rate-limit logging sees both.
 */
export function exemptInteractionRoutes(rest: REST, applicationId: () => string | undefined): REST {
  const interactions = new REST({ ...rest.options, globalRequestsPerSecond: Number.POSITIVE_INFINITY });
  for (const event of [RESTEvents.RateLimited, RESTEvents.Response, RESTEvents.Debug, RESTEvents.InvalidRequestWarning] as const) {
    interactions.on(event, (...args: unknown[]) => rest.emit(event, ...(args as [never])));
  }
  const viaClient = rest.queueRequest.bind(rest);
  rest.queueRequest = (request: InternalRequest) =>
    request.auth === false && isInteractionRoute(request.fullRoute, applicationId()) ? interactions.queueRequest(request) : viaClient(request);
  // The client clears its sweepers on destroy(); clear the second instance's too (they are unref'd, but tidy).
  const clearHash = rest.clearHashSweeper.bind(rest);
  const clearHandler = rest.clearHandlerSweeper.bind(rest);
  rest.clearHashSweeper = () => {
    clearHash();
    interactions.clearHashSweeper();
  };
  rest.clearHandlerSweeper = () => {
    clearHandler();
    interactions.clearHandlerSweeper();
  };
  return interactions;
}

/**
 * The interaction callback, or a webhook route of the application's own (interaction) webhook. Other webhooks
 * (`/webhooks/{webhook.id}/{token}`, which Docent does not use) are left on the client's cap.
 */
export function isInteractionRoute(route: string, applicationId: string | undefined): boolean {
  if (/^\/interactions\/\d+\/[^/]+\/callback/.test(route)) return true;
  const m = /^\/webhooks\/(\d+)\/[^/]+/.exec(route);
  return m !== null && applicationId !== undefined && m[1] === applicationId;
}
