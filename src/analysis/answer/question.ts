// A question's shape: which of the five questions it is ("how does A reach B", "what calls F",
// "where is T logged", "who owns E", "where is X handled") and the phrases that name its
// entities. English question forms only; anything else is a "where" question over its words.
import type { AskIntent } from '../../model/index.js';

export interface ParsedQuestion {
  intent: AskIntent;
  /** The subject: F, T, E or X; for a path, A. */
  subject: string;
  /** For a path: B. */
  to: string | null;
}

const END = String.raw`\s*[?.!]*\s*$`;
const PATH = [
  new RegExp(String.raw`\bfrom\s+(.+?)\s+to\s+(.+?)${END}`, 'i'),
  new RegExp(
    String.raw`\bhow\s+(?:does|do|did|can|is|are)?\s*(?:a\s+request\s+(?:to|for)\s+)?(.+?)\s+(?:reach(?:es)?|call(?:s)?|get(?:s)?\s+to|talk(?:s)?\s+to|go(?:es)?\s+to|depend(?:s)?\s+on|connect(?:s)?\s+to|end(?:s)?\s+up\s+in|lead(?:s)?\s+to)\s+(.+?)${END}`,
    'i',
  ),
];
const CALLERS = new RegExp(
  String.raw`^\s*(?:what|who|which(?:\s+\w+)?)\s+(?:calls|invokes|uses|runs|reaches)\s+(.+?)${END}`,
  'i',
);
const LOGGED = new RegExp(
  String.raw`\bwhere\s+(?:is|are|does|do)\s+(.+?)\s+(?:logged|printed|emitted|written(?:\s+to\s+the\s+logs?)?|log(?:s|ged)?)${END}`,
  'i',
);
const OWNERS = new RegExp(
  String.raw`\b(?:who\s+(?:owns|maintains|is\s+responsible\s+for|wrote)|owners?\s+of)\s+(.+?)${END}`,
  'i',
);
const WHERE = new RegExp(
  String.raw`\bwhere\s+(?:is|are|does|do)\s+(.+?)\s+(?:handled|implemented|defined|done|computed|happen(?:s|ing)?|processed|validated|checked|live|lives|stored|built|served|raised|thrown)${END}`,
  'i',
);
/** Words that say what kind of thing follows, not which one. */
const LEADING =
  /^(?:the\s+)?(?:code\s+(?:behind|for|of)\s+)?(?:the\s+)?(?:route|endpoint|service|function|method|template|log\s+template|log\s+line|message|handler|symbol|class)\s+/i;

/** The quoted text, when the phrase quotes one; else the phrase without its leading kind words. */
export function cleanPhrase(phrase: string): string {
  const q = /["“`]([^"”`]{2,})["”`]|(?:^|\s)'([^']{2,})'(?=\s|$)/.exec(phrase);
  if (q) return (q[1] ?? q[2]!).trim();
  let p = phrase.trim();
  for (let i = 0; i < 3 && LEADING.test(p); i++) p = p.replace(LEADING, '');
  return p.replace(/^(?:the|a|an)\s+/i, '').trim();
}

export function parseQuestion(question: string): ParsedQuestion {
  const q = question.replace(/\s+/g, ' ').trim();
  const logged = LOGGED.exec(q);
  if (logged) return { intent: 'logged', subject: cleanPhrase(logged[1]!), to: null };
  const owners = OWNERS.exec(q);
  if (owners) return { intent: 'owners', subject: cleanPhrase(owners[1]!), to: null };
  const callers = CALLERS.exec(q);
  if (callers) return { intent: 'callers', subject: cleanPhrase(callers[1]!), to: null };
  for (const re of PATH) {
    const m = re.exec(q);
    if (m) return { intent: 'path', subject: cleanPhrase(m[1]!), to: cleanPhrase(m[2]!) };
  }
  const where = WHERE.exec(q);
  if (where) return { intent: 'where', subject: cleanPhrase(where[1]!), to: null };
  return { intent: 'where', subject: q, to: null };
}
