// The demo page: plain browser JavaScript, no build step, no framework.
const $ = (id) => document.getElementById(id);

function showError(element, error) {
  element.classList.add('error');
  element.textContent = error instanceof Error ? error.message : String(error);
}

/** Fetches JSON; a non-2xx answer becomes an Error carrying the server's message. */
async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status}: ${body.message ?? response.statusText}`);
  return body;
}

// Dashboard -----------------------------------------------------------------------------------------

$('dashboard-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = $('dashboard-status');
  status.classList.remove('error');
  status.textContent = 'Loading…';
  status.dataset.state = 'loading';
  $('dashboard-result').hidden = true;
  try {
    const data = await getJson(`/dashboard?user_id=${encodeURIComponent($('dashboard-user-id').value)}`);
    $('dashboard-user').textContent = `${data.user.name} <${data.user.email}>`;
    const orders = $('dashboard-orders');
    orders.replaceChildren(
      ...data.orders.map((order) => {
        const item = document.createElement('li');
        item.textContent = `#${order.id}: ${order.item}, ${order.amount} ¥`;
        return item;
      }),
    );
    const { gatheredMs, sequentialMs } = data.timing;
    const scale = Math.max(gatheredMs, sequentialMs, 1);
    $('bar-gathered').style.width = `${(100 * gatheredMs) / scale}%`;
    $('bar-sequential').style.width = `${(100 * sequentialMs) / scale}%`;
    $('bar-gathered-ms').textContent = `${gatheredMs.toFixed(0)} ms`;
    $('bar-sequential-ms').textContent = `${sequentialMs.toFixed(0)} ms`;
    $('dashboard-result').hidden = false;
    status.textContent = `Two upstream calls at once took ${gatheredMs.toFixed(0)} ms; one after the other they would take about ${sequentialMs.toFixed(0)} ms.`;
    status.dataset.state = 'done';
  } catch (error) {
    showError(status, error);
    status.dataset.state = 'error';
  }
});

$('dashboard-burst').addEventListener('click', async () => {
  const status = $('dashboard-status');
  status.classList.remove('error');
  status.textContent = 'Loading 50 dashboards at once…';
  status.dataset.state = 'loading';
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) => getJson(`/dashboard?user_id=${i + 1}`)),
  );
  const failed = results.filter((result) => result.status === 'rejected').length;
  status.textContent = `50 dashboards (100 upstream calls) in ${(performance.now() - started).toFixed(0)} ms; ${failed} failed.`;
  status.dataset.state = 'done';
});

// Chat ----------------------------------------------------------------------------------------------

/** Splits Server-Sent Events text into complete frames; returns the frames and the unfinished rest. */
function takeFrames(buffer) {
  const parts = buffer.split('\n\n');
  const rest = parts.pop();
  const frames = parts.map((part) => {
    const frame = { event: 'message', data: '' };
    for (const line of part.split('\n')) {
      if (line.startsWith('event:')) frame.event = line.slice(6).trim();
      else if (line.startsWith('data:')) frame.data += line.slice(5).trimStart();
    }
    return frame;
  });
  return { frames, rest };
}

$('chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const answer = $('chat-answer');
  const status = $('chat-status');
  const button = $('chat-send');
  answer.textContent = '';
  answer.dataset.chunks = '0';
  status.classList.remove('error');
  status.textContent = 'Waiting for the first piece…';
  status.dataset.state = 'streaming';
  button.disabled = true;
  const started = performance.now();
  let firstAt;
  let pieces = 0;
  try {
    const response = await fetch(`/chat?prompt=${encodeURIComponent($('chat-prompt').value)}`);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(`${response.status}: ${body.message ?? response.statusText}`);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const taken = takeFrames(buffer);
      buffer = taken.rest;
      for (const frame of taken.frames) {
        if (frame.event === 'error') throw new Error(JSON.parse(frame.data).message);
        if (frame.event !== 'message' || !frame.data) continue;
        firstAt ??= performance.now();
        pieces++;
        answer.textContent += JSON.parse(frame.data).delta;
        answer.dataset.chunks = String(pieces);
      }
    }
    const total = performance.now() - started;
    status.textContent = `${pieces} pieces; the first after ${(firstAt - started).toFixed(0)} ms, all in ${total.toFixed(0)} ms.`;
    status.dataset.state = 'done';
  } catch (error) {
    showError(status, error);
    status.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
});

// Heartbeat and compute -----------------------------------------------------------------------------

const samples = [];
const MAX_SAMPLES = 120;
let peakWatch;

function drawHeartbeat() {
  const canvas = $('heartbeat-canvas');
  const context = canvas.getContext('2d');
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const top = Math.max(100, ...samples);
  context.strokeStyle = '#e0e4ea';
  context.fillStyle = '#8a94a6';
  context.font = '11px system-ui, sans-serif';
  for (const mark of [0, top / 2, top]) {
    const y = height - 4 - (mark / top) * (height - 16);
    context.beginPath();
    context.moveTo(0, y);
    context.lineTo(width, y);
    context.stroke();
    if (mark > 0) context.fillText(`${mark.toFixed(0)} ms`, 4, y + 12);
  }
  context.strokeStyle = samples.some((s) => s > 50) ? '#c2571a' : '#2e6bd8';
  context.lineWidth = 2;
  context.beginPath();
  samples.forEach((sample, i) => {
    const x = (i / (MAX_SAMPLES - 1)) * width;
    const y = height - 4 - (sample / top) * (height - 16);
    if (i === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  });
  context.stroke();
}

const heartbeat = new EventSource('/heartbeat?interval_ms=100');
heartbeat.addEventListener('message', (event) => {
  const { delayMs, upstream, compute } = JSON.parse(event.data);
  if (compute) {
    $('pool-workers').textContent = String(compute.workers);
    $('pool-running').textContent = String(compute.running);
    $('pool-queued').textContent = String(compute.queued);
    $('pool-completed').textContent = String(compute.completed);
    $('pool-utilization').textContent = `${(compute.utilization * 100).toFixed(0)}%`;
    $('pool-run-p50').textContent = String(compute.runP50);
    $('pool-run-p99').textContent = String(compute.runP99);
    $('pool-wait-p50').textContent = String(compute.waitP50);
    $('pool-wait-p99').textContent = String(compute.waitP99);
  }
  if (upstream) {
    $('upstream-active').textContent = String(upstream.active);
    $('upstream-pending').textContent = String(upstream.pending);
    $('upstream-max').textContent = String(upstream.limit);
  }
  samples.push(delayMs);
  if (samples.length > MAX_SAMPLES) samples.shift();
  $('heartbeat-now').textContent = delayMs.toFixed(0);
  $('heartbeat').dataset.samples = String(Number($('heartbeat').dataset.samples ?? 0) + 1);
  if (peakWatch) peakWatch.peak = Math.max(peakWatch.peak, delayMs);
  drawHeartbeat();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runCompute(mode) {
  const result = $('compute-result');
  result.classList.remove('error');
  result.dataset.state = 'running';
  result.textContent = mode === 'thread' ? 'Summing in a worker thread…' : 'Summing on the main thread…';
  for (const button of document.querySelectorAll('#compute-form button')) button.disabled = true;
  peakWatch = { peak: 0 };
  try {
    const data = await getJson(`/compute?n=${encodeURIComponent($('compute-n').value)}&mode=${mode}`);
    // A blocked loop reports its delay on the tick after it unblocks: wait for that tick to arrive.
    await sleep(350);
    const peak = peakWatch.peak;
    result.dataset.peakMs = String(peak);
    result.dataset.mode = mode;
    result.textContent =
      `sum(range(${data.n})) = ${data.result} in ${data.ms.toFixed(0)} ms ${mode === 'thread' ? 'with toThread' : 'on the main thread'}; ` +
      `worst event-loop delay meanwhile: ${peak.toFixed(0)} ms.`;
    result.dataset.state = 'done';
  } catch (error) {
    showError(result, error);
    result.dataset.state = 'error';
  } finally {
    peakWatch = undefined;
    for (const button of document.querySelectorAll('#compute-form button')) button.disabled = false;
  }
}

for (const button of document.querySelectorAll('#compute-form button')) {
  button.addEventListener('click', () => runCompute(button.dataset.mode));
}
drawHeartbeat();
