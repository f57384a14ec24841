// The npm-usage page: the SDK imported from its ESM build and bundled by Vite,
// exactly as an app would. The buttons call the public API and show its answers.
import { flush, identify, init, onReport, optIn, optOut, reset, track, type ReportKind } from '@eventline/sdk';

// Subscribed before init, so the first page view is counted too.
const tally: Partial<Record<ReportKind, number>> = {};
const reports = document.getElementById('api-reports')!;
onReport((report) => {
  tally[report.kind] = (tally[report.kind] ?? 0) + report.count;
  reports.textContent = Object.entries(tally)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(' · ');
});

const config = JSON.parse(document.getElementById('eventline-config')!.textContent!) as {
  writeKey: string;
  endpoint: string;
};
init({ writeKey: config.writeKey, endpoint: config.endpoint, debug: true });

const log = document.getElementById('api-log')!;
function show(call: string, result: string): void {
  const item = document.createElement('li');
  const code = document.createElement('code');
  code.textContent = call;
  item.append(code, ` → ${result}`);
  log.prepend(item);
}

const actions: Record<string, () => Promise<string> | string> = {
  'api-track': () => (track('Plan Selected', { plan: 'pro' }), 'queued'),
  'api-identify': () => (identify('user-42', { plan: 'pro' }), 'later events carry userId "user-42"'),
  'api-flush': async () => {
    const { delivered, pending } = await flush();
    return `delivered ${delivered}, pending ${pending}`;
  },
  'api-optout': () => (optOut(), 'nothing is captured until optIn()'),
  'api-optin': () => (optIn(), 'capturing again'),
  'api-reset': () => (reset(), 'new anonymous id and session'),
};

for (const [id, action] of Object.entries(actions)) {
  const button = document.getElementById(id)!;
  button.addEventListener('click', async () => {
    try {
      show(button.textContent ?? id, await action());
    } catch (error) {
      show(button.textContent ?? id, `failed: ${(error as Error).message}`);
    }
  });
}
