/**
 * Inline completion: sciwand's provider for JupyterLab's inline completer.
 * As the user pauses typing in a code cell, the server's model suggests the
 * rest of the statement (`POST sciwand/complete`, from the cell around the
 * cursor, the code cells before it and the kernel's names); JupyterLab shows
 * it as ghost text, and Tab accepts it.
 *
 * The suggestion streams: the first words show as soon as the model writes
 * them (an incomplete item JupyterLab then asks the rest of, `stream()`).
 * JupyterLab debounces the requests (the provider's `debouncerDelay`) and
 * drops a reply that comes after the user typed on; the provider also aborts
 * the request still in flight when the next one starts, so the server stops
 * the model.
 */
import type { ICellModel } from '@jupyterlab/cells';
import type {
  CompletionHandler,
  IInlineCompletionContext,
  IInlineCompletionItem,
  IInlineCompletionList,
  IInlineCompletionProvider
} from '@jupyterlab/completer';
import { Text } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { Widget } from '@lumino/widgets';

import {
  errorText,
  fetchCompletion,
  ICompletionPart,
  ICompletionRequest,
  streamCompletion
} from './api';
import { wandIcon } from './icon';

/** Characters of the preceding cells sent: the nearest ones (the server keeps what fits its prompt). */
export const CELLS_CHARS = 16000;

/** The editors whose code the model completes: Python cells, consoles and files. */
const PYTHON = new Set(['text/x-ipython', 'text/x-python', 'text/python']);

/** What the provider reads of a notebook: its cells and which one is active. */
export interface INotebookCells {
  readonly widgets: readonly { readonly model: ICellModel }[];
  readonly activeCellIndex: number;
}

/** What the warm-up reads of a notebook panel: its cells and its kernel. */
export interface INotebookPanelLike {
  readonly content: INotebookCells;
  readonly sessionContext: {
    readonly ready: Promise<void>;
    readonly session: {
      readonly kernel: {
        readonly id: string;
        readonly info: Promise<{ language_info: { name: string } }>;
      } | null;
    } | null;
  };
}

/** The code of the notebook's code cells, oldest first: those before index `end`, the nearest that fit CELLS_CHARS. */
export function codeCells(notebook: INotebookCells, end = notebook.widgets.length): string[] {
  const cells: string[] = [];
  let left = CELLS_CHARS;
  for (const { model } of notebook.widgets.slice(0, Math.max(0, end)).reverse()) {
    if (model.type !== 'code') {
      continue;
    }
    const source = model.sharedModel.getSource();
    if (!source.trim()) {
      continue;
    }
    if (source.length > left) {
      break;
    }
    left -= source.length;
    cells.unshift(source);
  }
  return cells;
}

/**
 * The request for the cursor at `request.offset` of the editor's text: the
 * prefix and suffix around it, the code cells before the active one.
 */
export function completionRequest(
  request: CompletionHandler.IRequest,
  notebook: INotebookCells | null,
  kernelId: string
): ICompletionRequest {
  // JupyterLab counts the offset in characters (code points), JavaScript strings in UTF-16 units.
  const at = Text.charIndexToJsIndex(request.offset, request.text);
  return {
    prefix: request.text.slice(0, at),
    suffix: request.text.slice(at),
    cells: notebook ? codeCells(notebook, notebook.activeCellIndex) : [],
    kernel_id: kernelId
  };
}

/** The notebook a completer's widget shows (a NotebookPanel's content), or null for a console or a file. */
export function notebookOf(widget: Widget | null | undefined): INotebookCells | null {
  const content = (widget as { content?: Partial<INotebookCells> } | null)?.content;
  return content && Array.isArray(content.widgets) && typeof content.activeCellIndex === 'number'
    ? (content as INotebookCells)
    : null;
}

const NOTHING: IInlineCompletionList = { items: [] };

export namespace SciwandInlineProvider {
  export interface IOptions {
    serverSettings?: ServerConnection.ISettings;
    /** sciwand's own setting (`inlineCompletion`): false asks nothing of the server. */
    isEnabled(): boolean;
  }
}

export class SciwandInlineProvider implements IInlineCompletionProvider {
  constructor(options: SciwandInlineProvider.IOptions) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
    this.isEnabled = options.isEnabled;
  }

  readonly identifier = 'sciwand-lab:inline-completion';
  readonly name = 'sciwand';
  readonly icon = wandIcon;
  /**
   * Defaults of the provider's entry in JupyterLab's inline completer
   * settings: on, asked 300 ms after the last key, a reply awaited 15 s (a
   * model that loads on first use).
   */
  readonly schema = {
    default: { enabled: true, debouncerDelay: 300, timeout: 15000 }
  };

  /** JupyterLab's inline completer settings of this provider (`enabled`, …). */
  configure(settings: { [property: string]: unknown }): void {
    this.enabledInJupyterLab = settings?.enabled !== false;
  }

  async fetch(
    request: CompletionHandler.IRequest,
    context: IInlineCompletionContext
  ): Promise<IInlineCompletionList> {
    this.pending?.abort(); // the user typed on: the last suggestion is no use any more
    this.pending = null;
    this.streams.clear();
    if (!this.isEnabled() || (request.mimeType && !PYTHON.has(request.mimeType))) {
      return NOTHING;
    }
    const body = completionRequest(
      request,
      notebookOf(context.widget),
      context.session?.kernel?.id ?? ''
    );
    const controller = new AbortController();
    this.pending = controller;
    try {
      const parts = streamCompletion(this.serverSettings, body, controller.signal);
      const first = await parts.next();
      if (first.done || controller.signal.aborted) {
        return NOTHING;
      }
      if (first.value.done) {
        // busy (the model writes a chat reply), off, unavailable: no suggestion
        const { status, text } = first.value;
        return status === 'ok' && text.trim() ? { items: [{ insertText: text }] } : NOTHING;
      }
      const token = `sciwand-${++this.streamed}`;
      this.streams.set(token, { parts, controller });
      return { items: [{ insertText: first.value.text, isIncomplete: true, token }] };
    } catch (error) {
      this.failed(error, controller);
      return NOTHING;
    }
  }

  /** The rest of a suggestion `fetch` returned incomplete: each longer one as the model writes. */
  async *stream(token: string): AsyncGenerator<{ response: IInlineCompletionItem }> {
    const streaming = this.streams.get(token);
    this.streams.delete(token);
    if (!streaming) {
      return;
    }
    try {
      for await (const part of streaming.parts) {
        if (streaming.controller.signal.aborted) {
          return;
        }
        if (part.done) {
          yield { response: { insertText: part.status === 'ok' ? part.text : '', isIncomplete: false } };
          return;
        }
        yield { response: { insertText: part.text, isIncomplete: true } };
      }
    } catch (error) {
      this.failed(error, streaming.controller);
    } finally {
      if (this.pending === streaming.controller) {
        this.pending = null;
      }
    }
  }

  /**
   * A notebook became current: one request with its code cells, so the model
   * reads them once before the user types. It only prepares (the model reads
   * them while it is free, and a key typed meanwhile goes first). Once per
   * notebook, for a Python kernel, when completion is on.
   */
  async warmUp(notebook: INotebookPanelLike): Promise<void> {
    if (this.warmed.has(notebook) || !this.isEnabled() || !this.enabledInJupyterLab) {
      return;
    }
    this.warmed.add(notebook);
    try {
      await notebook.sessionContext.ready;
      const kernel = notebook.sessionContext.session?.kernel;
      if (!kernel || (await kernel.info).language_info.name !== 'python') {
        return;
      }
      const body: ICompletionRequest = {
        prefix: '',
        suffix: '',
        cells: codeCells(notebook.content),
        kernel_id: kernel.id,
        prepare: true
      };
      await fetchCompletion(this.serverSettings, body);
    } catch (error) {
      this.warn(error);
    }
  }

  /** A request that failed, unless because the user typed on (its abort). */
  private failed(error: unknown, controller: AbortController): void {
    if (!controller.signal.aborted) {
      this.warn(error);
    }
  }

  /** A failed request, said once in the console (not on every key press). */
  private warn(error: unknown): void {
    const text = errorText(error);
    if (text !== this.lastWarning) {
      this.lastWarning = text;
      console.warn('sciwand: inline completion failed', text);
    }
  }

  private readonly serverSettings: ServerConnection.ISettings;
  private readonly isEnabled: () => boolean;
  private readonly warmed = new WeakSet<INotebookPanelLike>();
  private pending: AbortController | null = null;
  private streamed = 0;
  private readonly streams = new Map<
    string,
    { parts: AsyncGenerator<ICompletionPart>; controller: AbortController }
  >();
  private enabledInJupyterLab = true;
  private lastWarning = '';
}
