/**
 * `@`-mentions in the question: typing `@` lists the kernel's variables
 * (name, type and size) above the question box; choosing one puts `@name`
 * in the question, and the server sends that variable's summary (a
 * DataFrame's columns and first rows, a sequence's start, …) with it.
 * Arrow keys move through the list, Enter or Tab choose, Escape closes it.
 */
import { errorText } from './api';
import { IVariable, IVariables } from './protocol';

/** The `@name` the caret is in: where its `@` is, where its name ends, and the name typed so far. */
export interface IMention {
  start: number;
  end: number;
  query: string;
}

/**
 * The mention at `caret` in `text`, or null. An `@` starts one where the
 * server reads one: not after a letter, a digit, `.` or `@` (an e-mail
 * address, a decorator's call).
 */
export function mentionAt(text: string, caret: number): IMention | null {
  const match = /(?:^|[^\w.@])@([A-Za-z_]\w*)?$/.exec(text.slice(0, caret));
  if (!match) {
    return null;
  }
  const query = match[1] ?? '';
  const rest = /^\w*/.exec(text.slice(caret))![0];
  return { start: caret - query.length - 1, end: caret + rest.length, query };
}

/** `text` with the mention replaced by `@name` and a space; the caret goes after the space. */
export function withMention(
  text: string,
  mention: IMention,
  name: string
): { text: string; caret: number } {
  const after = text.slice(mention.end);
  const inserted = `@${name}` + (after.startsWith(' ') ? '' : ' ');
  const caret = mention.start + inserted.length + (after.startsWith(' ') ? 1 : 0);
  return { text: text.slice(0, mention.start) + inserted + after, caret };
}

/** The variables whose name starts with `query`, then those that contain it (case aside), in the kernel's order. */
export function matching(variables: readonly IVariable[], query: string): IVariable[] {
  const wanted = query.toLowerCase();
  const starts = variables.filter(v => v.name.toLowerCase().startsWith(wanted));
  const contains = variables.filter(
    v => !v.name.toLowerCase().startsWith(wanted) && v.name.toLowerCase().includes(wanted)
  );
  return [...starts, ...contains];
}

export namespace MentionList {
  export interface IOptions {
    /** The question box the list serves. */
    input: HTMLTextAreaElement;
    /** The kernel's variables, read afresh each time the list opens. */
    fetchVariables(): Promise<IVariables>;
  }
}

/** The list of variables above the question box while the caret is in an `@name`. */
export class MentionList {
  constructor(options: MentionList.IOptions) {
    this.input = options.input;
    this.fetchVariables = options.fetchVariables;
    this.node = document.createElement('div');
    this.node.className = 'sciwand-mentions';
    this.node.setAttribute('role', 'listbox');
    this.node.hidden = true;
  }

  readonly node: HTMLDivElement;

  get isOpen(): boolean {
    return this.mention !== null;
  }

  /** Open, filter or close the list as the caret now is in an `@name` or not. */
  update(): void {
    const input = this.input;
    const mention =
      input.selectionStart === input.selectionEnd
        ? mentionAt(input.value, input.selectionStart ?? input.value.length)
        : null;
    if (!mention) {
      this.close();
      return;
    }
    const opening = this.mention === null;
    if (!opening && mention.query !== this.mention!.query) {
      this.selected = 0;
    }
    this.mention = mention;
    if (opening) {
      this.selected = 0;
      void this.load();
    }
    this.render();
  }

  /** A key pressed in the question box: true if it was the list's (moved, chose, closed). */
  handleKey(event: KeyboardEvent): boolean {
    if (!this.isOpen || event.isComposing) {
      return false;
    }
    const shown = this.shown();
    let handled = true;
    switch (event.key) {
      case 'Escape':
        this.close();
        break;
      case 'ArrowDown':
      case 'ArrowUp':
        if (!shown.length) {
          return false;
        }
        this.selected =
          (this.selected + (event.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
        this.render();
        break;
      case 'Enter':
      case 'Tab':
        if (!shown.length || event.shiftKey) {
          return false;
        }
        this.choose(shown[Math.min(this.selected, shown.length - 1)]);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
    return handled;
  }

  close(): void {
    this.mention = null;
    this.variables = null;
    this.problem = '';
    this.loading += 1; // a list still being read is no longer wanted
    this.node.hidden = true;
    this.node.replaceChildren();
    this.input.removeAttribute('aria-activedescendant');
  }

  /** Put `@name` in the question in place of the mention being typed. */
  private choose(variable: IVariable): void {
    const mention = this.mention;
    if (!mention) {
      return;
    }
    const { text, caret } = withMention(this.input.value, mention, variable.name);
    this.input.value = text;
    this.input.setSelectionRange(caret, caret);
    this.close();
    this.input.focus();
    this.input.dispatchEvent(new Event('input', { bubbles: true })); // the views that follow the text
  }

  private async load(): Promise<void> {
    const loading = ++this.loading;
    this.variables = null;
    this.problem = '';
    let variables: IVariables | null = null;
    let problem = '';
    try {
      variables = await this.fetchVariables();
    } catch (error) {
      problem = `Could not read the kernel’s variables: ${errorText(error)}`;
    }
    if (loading !== this.loading) {
      return;
    }
    this.variables = variables;
    this.problem = problem;
    this.render();
  }

  private shown(): IVariable[] {
    return this.mention && this.variables ? matching(this.variables.variables, this.mention.query) : [];
  }

  private render(): void {
    const mention = this.mention;
    if (!mention) {
      return;
    }
    const shown = this.shown();
    this.node.hidden = false;
    if (!shown.length) {
      this.node.replaceChildren(this.note(this.emptyText(mention)));
      this.input.removeAttribute('aria-activedescendant');
      return;
    }
    this.selected = Math.min(this.selected, shown.length - 1);
    const items = shown.map((variable, index) => this.item(variable, index === this.selected));
    this.node.replaceChildren(...items);
    const chosen = items[this.selected];
    chosen.scrollIntoView?.({ block: 'nearest' });
    this.input.setAttribute('aria-activedescendant', chosen.id);
  }

  private emptyText(mention: IMention): string {
    const variables = this.variables;
    if (this.problem) {
      return this.problem;
    }
    if (!variables) {
      return 'Reading the kernel’s variables…';
    }
    if (!variables.known) {
      return 'The kernel is busy (or has no sciwand): its variables are not known now.';
    }
    if (!variables.variables.length) {
      return 'No variables in the kernel yet: run a cell that makes one.';
    }
    return `No variable named like “${mention.query}”.`;
  }

  private item(variable: IVariable, selected: boolean): HTMLElement {
    const item = document.createElement('div');
    item.className = 'sciwand-mention' + (selected ? ' sciwand-mod-selected' : '');
    item.id = `sciwand-mention-${variable.name}`;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', String(selected));
    item.title = `${variable.name}: ${variable.description}`;
    const name = document.createElement('span');
    name.className = 'sciwand-mention-name';
    name.textContent = variable.name;
    const description = document.createElement('span');
    description.className = 'sciwand-mention-description';
    description.textContent = variable.description;
    item.append(name, description);
    // mousedown, not click: the question box keeps its focus (a blur would close the list first)
    item.addEventListener('mousedown', event => {
      event.preventDefault();
      this.choose(variable);
    });
    return item;
  }

  private note(text: string): HTMLElement {
    const note = document.createElement('div');
    note.className = 'sciwand-mention-note';
    note.textContent = text;
    return note;
  }

  private readonly input: HTMLTextAreaElement;
  private readonly fetchVariables: () => Promise<IVariables>;
  private mention: IMention | null = null;
  private variables: IVariables | null = null;
  private problem = '';
  private selected = 0;
  /** Counts the reads: only the latest one's answer is shown. */
  private loading = 0;
}
