/**
 * Small DOM builders the panel's views share.
 */
import { Widget } from '@lumino/widgets';

/** A plain-text widget. */
export function textWidget(text: string, className: string): Widget {
  const widget = new Widget();
  widget.addClass(className);
  widget.node.textContent = text;
  return widget;
}

/** A JupyterLab-styled button. */
export function button(
  label: string,
  className: string,
  title: string,
  onClick: () => void
): HTMLButtonElement {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = `jp-mod-styled sciwand-button ${className}`;
  node.textContent = label;
  node.title = title;
  node.addEventListener('click', onClick);
  return node;
}
