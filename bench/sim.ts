// vboxsim's own speed, so that it is never what a Nimbox benchmark measures:
// SOAP calls per second for a simple getter over keep-alive, and the simulator's
// RSS with 1,000 machines. The simulator runs in its own process (one core).
import http from 'node:http';
import { progress, rssMB, startSimProcess } from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 16;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function soap(url: string, op: string, inner: string): Promise<string> {
  const body = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><v:${op} xmlns:v="http://www.virtualbox.org/">${inner}</v:${op}></s:Body></s:Envelope>`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`${op}: HTTP ${res.statusCode} ${data}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const returnval = (xml: string) => /<returnval>([^<]*)<\/returnval>/.exec(xml)?.[1] ?? '';

async function callsPerSecond(): Promise<number> {
  const { child, hosts: [{ url }] } = await startSimProcess(['--hosts', '1', '--vms', '0']);
  try {
    const vbox = returnval(await soap(url, 'IWebsessionManager_logon', '<username>vbox</username><password>vbox</password>'));
    const call = () => soap(url, 'IVirtualBox_getVersion', `<_this>${vbox}</_this>`);
    for (let i = 0; i < 500; i++) await call(); // warm-up
    let calls = 0;
    const start = performance.now();
    const end = start + SECONDS * 1000;
    const timer = setInterval(() => progress('getter calls', Math.min(performance.now() - start, SECONDS * 1000), SECONDS * 1000), 250);
    const worker = async () => {
      while (performance.now() < end) {
        await call();
        calls++;
      }
    };
    // Workers join one at a time, each once its first call was answered: vboxsim, like vboxwebsrv,
    // serves a burst of new keep-alive connections with one worker thread (sim/soap/listener.ts).
    const workers: Promise<void>[] = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      await call();
      calls++;
      workers.push(worker());
    }
    await Promise.all(workers);
    clearInterval(timer);
    progress('getter calls', 1, 1);
    return Math.round(calls / ((performance.now() - start) / 1000));
  } finally {
    child.kill('SIGTERM');
  }
}

async function rssWith1000(): Promise<{ rss: number; startSeconds: number }> {
  progress('1,000 machines', 0, 1);
  const t0 = performance.now();
  const { child, hosts: [{ url }] } = await startSimProcess(['--hosts', '1', '--vms', '1000', '--vrde-base', '40000']);
  try {
    const startSeconds = (performance.now() - t0) / 1000;
    const vbox = returnval(await soap(url, 'IWebsessionManager_logon', '<username>vbox</username><password>vbox</password>'));
    const list = await soap(url, 'IVirtualBox_getMachines', `<_this>${vbox}</_this>`);
    const count = (list.match(/<returnval>/g) ?? []).length;
    if (count !== 1000) throw new Error(`expected 1000 machines, got ${count}`);
    await new Promise((r) => setTimeout(r, 500));
    const rss = rssMB(child.pid!);
    progress('1,000 machines', 1, 1);
    return { rss, startSeconds: Math.round(startSeconds * 10) / 10 };
  } finally {
    child.kill('SIGTERM');
  }
}

const cps = await callsPerSecond();
const big = await rssWith1000();
agent.destroy();
console.log(JSON.stringify({
  benchmark: 'sim',
  getterCallsPerSecond: cps,
  getterAim: 5000,
  rssMBWith1000Machines: big.rss,
  rssAimMB: 300,
  startSecondsWith1000Machines: big.startSeconds,
  concurrency: CONCURRENCY,
  seconds: SECONDS,
}));
