/**
 * The canned records the upstream fake serves. Deterministic per id, so tests and the page can predict
 * what a user and their orders look like without a database.
 */

export interface User {
  id: number;
  name: string;
  email: string;
}

export interface Order {
  id: number;
  userId: number;
  item: string;
  amount: number;
}

/** Ids above this do not exist (the upstream answers 404), so "unknown user" is easy to reach. */
export const MAX_USER_ID = 10_000;

const NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tony'];
const ITEMS = ['keyboard', 'monitor', 'cable', 'notebook', 'lamp', 'headphones', 'chair', 'mug'];

/** The user with this id, or `undefined` when the id is not an integer from 1 to {@link MAX_USER_ID}. */
export function userById(id: number): User | undefined {
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_USER_ID) return undefined;
  const name = `${NAMES[id % NAMES.length]} ${String.fromCharCode(65 + (id % 26))}.`;
  return { id, name, email: `user${id}@example.test` };
}

/** The one to three orders of a user; none for a user that does not exist. */
export function ordersOf(userId: number): Order[] {
  if (userById(userId) === undefined) return [];
  const count = 1 + (userId % 3);
  return Array.from({ length: count }, (_, i) => ({
    id: userId * 100 + i + 1,
    userId,
    item: ITEMS[(userId + i) % ITEMS.length]!,
    amount: 500 + ((userId * 37 + i * 211) % 2000),
  }));
}

/** The answer the fake chat model streams: it quotes the prompt so a test can tell answers apart. */
export function cannedAnswer(prompt: string): string {
  const topic = prompt.trim().replace(/\s+/g, ' ').slice(0, 80) || 'nothing in particular';
  return (
    `You asked about "${topic}". This answer comes from a local stand-in for an OpenAI-compatible API: ` +
    'it is streamed word by word, relayed by a synchronous handler through runSyncStream, ' +
    'and shown by the page as each piece arrives.'
  );
}

/** Splits an answer into the chunks the fake model sends: each word with the space that follows it. */
export function answerChunks(answer: string): string[] {
  return answer.match(/\S+\s*/g) ?? [];
}
