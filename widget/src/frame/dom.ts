// Tiny DOM helpers. Text is only ever set through text nodes / textContent.

export type Attrs = Readonly<Record<string, string | boolean | null | undefined>>;
export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child); // strings become text nodes
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svgIcon(paths: readonly string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  for (const d of paths) {
    const p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', d);
    svg.appendChild(p);
  }
  return svg;
}

/**
 * Builds nodes from a translated template such as "You are chatting with {name}",
 * inserting the given nodes for placeholders (other text becomes text nodes).
 */
export function template(text: string, slots: Readonly<Record<string, Node>>): Node[] {
  const out: Node[] = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const name = m[1] ?? '';
    const slot = slots[name];
    if (!slot) continue;
    if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
    out.push(slot);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

/** Delay before the object URL of a download is revoked (the download must have started). */
export const OBJECT_URL_REVOKE_MS = 1000;

/** Saves `text` as a UTF-8 text file through a Blob and a temporary <a download>. */
export function saveTextFile(fileName: string, text: string): void {
  saveBlob(fileName, new Blob([text], { type: 'text/plain;charset=utf-8' }));
}

/** Hands a blob to the browser as a download named `fileName`. */
export function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_REVOKE_MS);
  }
}
