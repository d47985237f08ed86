import { parentPort, workerData } from 'node:worker_threads';
import { startUpstream, type UpstreamOptions } from './upstream.js';
import type { ToUpstreamThread } from './upstream-thread.js';

// Runs inside the upstream thread: starts the fake and answers the parent's control messages.
const port = parentPort!;
const upstream = await startUpstream(workerData as UpstreamOptions);
for (const name of ['chat-request', 'chat-stream-end']) {
  upstream.events.on(name, (data) => port.postMessage({ t: 'event', name, data }));
}
port.on('message', async (message: ToUpstreamThread) => {
  try {
    if (message.t === 'configure') upstream.configure(message.patch);
    if (message.t === 'close') await upstream.close();
    port.postMessage({ t: 'reply', id: message.id, value: { ...upstream.stats } });
  } catch (error) {
    port.postMessage({ t: 'reply', id: message.id, error });
  }
  if (message.t === 'close') port.close();
});
port.postMessage({ t: 'ready', url: upstream.url, settings: { ...upstream.settings } });
