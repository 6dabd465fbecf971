import { KubeConfig, Watch } from '@kubernetes/client-node';
const kc = new KubeConfig(); console.log(typeof Watch, kc.contexts.length);
setTimeout(() => { globalThis.gc?.(); console.log((process.memoryUsage().rss/1048576).toFixed(1), (process.memoryUsage().heapUsed/1048576).toFixed(1)); }, 500);
