/**
 * The two source documents, named in English (the README describes them). The tour cites a section of
 * one of them for every scenario.
 */
export const asyncioArticle = 'asyncio article';
export const asyncCoreArticle = 'async_core article';

/** `document, "section"`: how a scenario names where it comes from. */
export function section(document: string, name: string): string {
  return `${document}, "${name}"`;
}
