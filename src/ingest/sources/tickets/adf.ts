// Atlassian Document Format (Jira Cloud's rich text as JSON) to plain text: paragraphs and
// list items on their own lines, mentions and cards as their text or URL.

type Node = { type?: unknown; text?: unknown; attrs?: Record<string, unknown>; content?: unknown };

const BLOCKS = new Set([
  'paragraph',
  'heading',
  'blockquote',
  'codeBlock',
  'listItem',
  'tableRow',
  'panel',
  'rule',
  'mediaSingle',
]);

export function isAdf(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Node).type === 'doc';
}

export function adfToText(doc: unknown): string {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (typeof n !== 'object' || n === null) return;
    const node = n as Node;
    if (node.type === 'text' && typeof node.text === 'string') out.push(node.text);
    else if (node.type === 'hardBreak') out.push('\n');
    else if (node.type === 'mention' || node.type === 'emoji') out.push(String(node.attrs?.text ?? ''));
    else if (node.type === 'inlineCard' || node.type === 'blockCard') out.push(String(node.attrs?.url ?? ''));
    if (Array.isArray(node.content)) node.content.forEach(walk);
    // Nested blocks (a paragraph in a list item) end one line, not two.
    if (typeof node.type === 'string' && BLOCKS.has(node.type) && !out.at(-1)?.endsWith('\n')) out.push('\n');
    else if (node.type === 'tableCell' || node.type === 'tableHeader') out.push('\t');
  };
  walk(doc);
  return out
    .join('')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
