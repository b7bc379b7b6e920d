/**
 * One idea: the optional webhook — an HTTP(S) POST of one JSON document to the
 * Director's Webhook URL when a job ends:
 *   {"schema":"afdirector.job-end/1","director":..,"id":..,"job":..,"client":..,
 *    "level":..,"status":..,"start":..,"end":..,"files":..,"bytes":..,"cartridges":[..],"error":..}
 * A reply outside 2xx, or no reply within 10 seconds, is a problem for the log; the
 * job's status never depends on it.
 */
import http from 'node:http';
import https from 'node:https';

export interface WebhookPayload {
  readonly schema: 'afdirector.job-end/1';
  readonly director: string;
  readonly id: number;
  readonly job: string;
  readonly client: string;
  readonly level: string;
  readonly status: string;
  readonly start?: string;
  readonly end?: string;
  readonly files: number;
  readonly bytes: number;
  readonly cartridges: readonly number[];
  readonly error?: string;
}

const TIMEOUT_MS = 10_000;

/** Posts the payload; resolves with null on success, else a problem text. */
export function postWebhook(url: string, payload: WebhookPayload): Promise<string | null> {
  const body = Buffer.from(JSON.stringify(payload));
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = lib.request(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'user-agent': 'afdirector' },
      timeout: TIMEOUT_MS,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 300 ? null : `webhook ${u.origin}: HTTP status ${code}`);
      });
    });
    req.on('timeout', () => req.destroy(new Error('no reply within 10 s')));
    req.on('error', (e) => resolve(`webhook ${u.origin}: ${e.message}`));
    req.end(body);
  });
}
