// k6 load test of the webhook hub's `POST /events` (examples/webhook-hub) at a fixed arrival rate, failing when the
// p99 response time or the error rate passes its threshold. Run with the k6 that soak/k6/install.sh builds:
//
//   K6="$(bash soak/k6/install.sh)"
//   "$K6" run -e HUB_URL=http://127.0.0.1:8082 -e API_KEY=… -e RATE=200 -e DURATION=60s -e P99_MS=50 soak/k6/webhook-hub.js
//
// The hub limits each API key (WEBHOOK_HUB_RATE_LIMIT, default 100/s): start it with a limit above RATE, or the
// excess is answered 429 and the run fails its thresholds.
import { check } from 'k6';
import http from 'k6/http';

const env = (name, fallback) => (__ENV[name] === undefined || __ENV[name] === '' ? fallback : __ENV[name]);
const positive = (name, fallback) => {
  const value = Number(env(name, fallback));
  if (!(value > 0)) throw new Error(`${name} must be a number > 0; got ${JSON.stringify(__ENV[name])}`);
  return value;
};

const url = `${env('HUB_URL', 'http://127.0.0.1:8082').replace(/\/$/, '')}/events`;
const apiKey = env('API_KEY', '');
const rate = positive('RATE', 100);
const p99Ms = positive('P99_MS', 50);
if (apiKey === '') throw new Error('API_KEY is required: one of the keys in the hub’s WEBHOOK_HUB_API_KEYS');

export const options = {
  scenarios: {
    events: {
      // Open loop: RATE requests per second whatever the response times, so a slow hub shows in the latency.
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: env('DURATION', '60s'),
      preAllocatedVUs: Math.max(10, Math.ceil(rate / 10)),
      maxVUs: Math.max(50, rate),
    },
  },
  thresholds: {
    'http_req_duration{expected_response:true}': [`p(99)<${p99Ms}`],
    http_req_failed: ['rate<0.001'],
    checks: ['rate>0.999'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'p(99.9)', 'max'],
};

const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };

export default function () {
  const body = JSON.stringify({
    type: 'order.created',
    source: 'k6',
    occurredAt: new Date().toISOString(),
    data: { orderId: `k6-${__VU}-${__ITER}`, customer: `c-${__ITER % 997}`, amount: 42.5, currency: 'EUR', items: [{ sku: 'sku-1', quantity: 2 }] },
  });
  const response = http.post(url, body, { headers, tags: { name: 'POST /events' } });
  check(response, { 'accepted (202)': (r) => r.status === 202 });
}
