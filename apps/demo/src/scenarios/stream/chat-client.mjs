// The chat client of stream/chat-cli. It is a plain JavaScript module because it runs inside the sync
// bridge's worker, where it is imported by URL (fromModule); there it can import packages as usual.
import OpenAI from 'openai';

const encoder = new TextEncoder();

/**
 * Stands in for the network: answers any request with an OpenAI-style event stream that sends one word
 * every `stepMs`. Point `baseURL` at a real OpenAI-compatible server and drop `fetch` to use a real model.
 */
function fakeChatEndpoint(words, stepMs) {
  return async () => {
    const body = new ReadableStream({
      async start(controller) {
        for (const word of words) {
          await new Promise((resolve) => setTimeout(resolve, stepMs));
          const chunk = {
            id: 'chatcmpl-demo',
            object: 'chat.completion.chunk',
            created: 0,
            model: 'demo',
            choices: [{ index: 0, delta: { content: word }, finish_reason: null }],
          };
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
        }
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
}

/**
 * Streams the answer to `prompt`, chunk by chunk, with the official `openai` client.
 * @param {string} prompt
 * @param {readonly string[]} words the fake model's answer
 * @param {number} stepMs the fake model's delay per word
 * @returns {AsyncGenerator<string>}
 */
export async function* streamChat(prompt, words, stepMs) {
  const client = new OpenAI({
    apiKey: 'demo-key',
    baseURL: 'http://chat.example.test/v1',
    fetch: fakeChatEndpoint(words, stepMs),
  });
  const stream = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) yield text;
  }
}

/**
 * The whole answer at once, like the async_core article's example 5.
 * @param {string} prompt
 * @param {readonly string[]} words
 * @param {number} stepMs
 * @returns {Promise<string>}
 */
export async function collectChat(prompt, words, stepMs) {
  let answer = '';
  for await (const text of streamChat(prompt, words, stepMs)) answer += text;
  return answer;
}
