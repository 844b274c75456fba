/** Small DOM helpers: every string goes in as text (textContent), never as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string; attrs?: Record<string, string> } = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** A real <button type="button"> (keyboard and screen readers get a button for free). */
export function button(text: string, onClick: () => void, className?: string): HTMLButtonElement {
  const b = el('button', { text, attrs: { type: 'button' }, ...(className ? { className } : {}) });
  b.addEventListener('click', onClick);
  return b;
}
