import type { ICellModel } from '@jupyterlab/cells';
import type { IInlineCompletionContext } from '@jupyterlab/completer';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

import {
  CELLS_CHARS,
  codeCells,
  completionRequest,
  INotebookCells,
  INotebookPanelLike,
  notebookOf,
  SciwandInlineProvider
} from '../src/completion';

function cell(type: 'code' | 'markdown', source: string): { model: ICellModel } {
  return { model: { type, sharedModel: { getSource: () => source } } as unknown as ICellModel };
}

const NOTEBOOK: INotebookCells = {
  widgets: [
    cell('code', 'import pandas as pd'),
    cell('markdown', '# Doses'),
    cell('code', '   '),
    cell('code', "df = pd.read_csv('doses.csv')"),
    cell('code', 'df.des'),
    cell('code', 'print(df)')
  ],
  activeCellIndex: 4
};

/** A line of a streamed answer, as the server writes it. */
function line(part: object): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(part) + '\n');
}

/** What a test writes into a streamed answer, line by line. */
interface IStreamWriter {
  write(part: object): void;
}

/** A response body the test writes as it goes (jsdom has no ReadableStream to build one from). */
class WrittenBody {
  private chunks: ReadableStreamReadResult<Uint8Array>[] = [];
  private waiting: { resolve: (r: ReadableStreamReadResult<Uint8Array>) => void; reject: (e: unknown) => void }[] =
    [];
  private failure: unknown = null;

  push(result: ReadableStreamReadResult<Uint8Array>): void {
    const reader = this.waiting.shift();
    if (reader) {
      reader.resolve(result);
    } else {
      this.chunks.push(result);
    }
  }

  error(error: unknown): void {
    this.failure = error;
    this.waiting.splice(0).forEach(reader => reader.reject(error));
  }

  readonly reader = {
    read: (): Promise<ReadableStreamReadResult<Uint8Array>> => {
      if (this.failure) {
        return Promise.reject(this.failure);
      }
      const chunk = this.chunks.shift();
      return chunk
        ? Promise.resolve(chunk)
        : new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
    }
  };
}

/**
 * A sciwand server whose `complete` answers wait until the test gives them:
 * whole (`answer`, one line when the request streams) or line by line (`stream`).
 */
class FakeServer {
  requests: { url: string; body: Record<string, unknown>; signal: AbortSignal }[] = [];
  aborted: number[] = [];
  private answers: ((response: Response) => void)[] = [];
  private bodies: WrittenBody[] = [];

  readonly settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/',
    fetch: async (info: RequestInfo) => {
      const request = info as Request;
      const index = this.requests.length;
      this.requests.push({ url: request.url, body: await request.json(), signal: request.signal });
      return new Promise<Response>((resolve, reject) => {
        request.signal.addEventListener('abort', () => {
          this.aborted.push(index);
          const error = new DOMException('The user aborted a request.', 'AbortError');
          reject(error);
          this.bodies[index]?.error(error); // a body being read fails as fetch's does
        });
        this.answers[index] = resolve;
      });
    }
  });

  async answer(index: number, reply: object): Promise<void> {
    await this.requested(index + 1);
    const streamed = this.requests[index].body.stream === true;
    while (!this.answers[index]) {
      await new Promise(resolve => setTimeout(resolve, 0));
    }
    const body = streamed ? JSON.stringify({ ...reply, done: true }) + '\n' : JSON.stringify(reply);
    this.answers[index](new Response(body, { status: 200 }));
  }

  /** Answer request `index` with a body the test writes line by line. */
  async stream(index: number): Promise<IStreamWriter> {
    await this.requested(index + 1);
    while (!this.answers[index]) {
      await new Promise(resolve => setTimeout(resolve, 0));
    }
    const body = (this.bodies[index] = new WrittenBody());
    this.answers[index]({ ok: true, status: 200, body: { getReader: () => body.reader } } as unknown as Response);
    return { write: part => body.push({ value: line(part), done: false }) };
  }

  async requested(count: number): Promise<void> {
    while (this.requests.length < count) {
      await new Promise(resolve => setTimeout(resolve, 0));
    }
  }
}

function context(widget: Widget, kernelId = 'kernel-1'): IInlineCompletionContext {
  return {
    widget,
    triggerKind: 1,
    session: { kernel: { id: kernelId } }
  } as unknown as IInlineCompletionContext;
}

function notebookPanel(notebook: INotebookCells): Widget {
  const panel = new Widget();
  (panel as unknown as { content: INotebookCells }).content = notebook;
  return panel;
}

describe('inline completion', () => {
  it('sends the cell around the cursor and the code cells before it, oldest first', () => {
    const text = 'summary = df.des\nprint(summary)';
    const request = completionRequest(
      { text, offset: 'summary = df.des'.length, mimeType: 'text/x-ipython' },
      NOTEBOOK,
      'kernel-1'
    );
    expect(request).toEqual({
      prefix: 'summary = df.des',
      suffix: '\nprint(summary)',
      cells: ['import pandas as pd', "df = pd.read_csv('doses.csv')"],
      kernel_id: 'kernel-1'
    });
  });

  it('counts the cursor in characters, as JupyterLab does, not UTF-16 units', () => {
    const text = "label = '🧪 dose'\nx";
    const offset = [...'label = \'🧪 dose\''].length; // one character for the emoji
    const request = completionRequest({ text, offset }, null, '');
    expect(request.prefix).toBe("label = '🧪 dose'");
    expect(request.suffix).toBe('\nx');
    expect(request.cells).toEqual([]);
  });

  it('keeps the nearest cells that fit', () => {
    const big = 'x = 1\n'.repeat(Math.floor((CELLS_CHARS - 5) / 6)); // with 'near = 2', 'first = 1' does not fit
    const notebook = {
      widgets: [cell('code', 'first = 1'), cell('code', big), cell('code', 'near = 2')],
      activeCellIndex: 3
    };
    expect(codeCells(notebook, 3)).toEqual([big, 'near = 2']);
    expect(codeCells(NOTEBOOK)).toEqual([
      'import pandas as pd',
      "df = pd.read_csv('doses.csv')",
      'df.des',
      'print(df)'
    ]);
  });

  it('finds the notebook of a notebook panel, none for a console', () => {
    expect(notebookOf(notebookPanel(NOTEBOOK))).toBe(NOTEBOOK);
    expect(notebookOf(new Widget())).toBeNull();
    expect(notebookOf(null)).toBeNull();
  });

  it('posts to sciwand/complete and offers the suggestion as one item', async () => {
    const server = new FakeServer();
    const provider = new SciwandInlineProvider({ serverSettings: server.settings, isEnabled: () => true });
    const reply = provider.fetch(
      { text: 'df.des', offset: 6, mimeType: 'text/x-ipython' },
      context(notebookPanel(NOTEBOOK))
    );
    await server.answer(0, { text: 'cribe()', status: 'ok' });
    expect(await reply).toEqual({ items: [{ insertText: 'cribe()' }] });
    expect(server.requests[0].url).toMatch(/^http:\/\/localhost:8888\/sciwand\/complete(\?\d+)?$/);
    expect(server.requests[0].body).toEqual({
      prefix: 'df.des',
      suffix: '',
      cells: ['import pandas as pd', "df = pd.read_csv('doses.csv')"],
      kernel_id: 'kernel-1',
      stream: true
    });
  });

  it('shows the first words at once and streams the rest as the model writes', async () => {
    const server = new FakeServer();
    const provider = new SciwandInlineProvider({ serverSettings: server.settings, isEnabled: () => true });
    const reply = provider.fetch({ text: 'mw = Descriptors.', offset: 17 }, context(notebookPanel(NOTEBOOK)));
    const writer = await server.stream(0);
    writer.write({ text: 'Mol', done: false });
    const { items } = await reply;
    expect(items).toEqual([{ insertText: 'Mol', isIncomplete: true, token: expect.any(String) }]);
    const rest = provider.stream(items[0].token!);
    writer.write({ text: 'MolWt(', done: false });
    expect((await rest.next()).value).toEqual({ response: { insertText: 'MolWt(', isIncomplete: true } });
    writer.write({ text: 'MolWt(mol)', status: 'ok', done: true });
    expect((await rest.next()).value).toEqual({ response: { insertText: 'MolWt(mol)', isIncomplete: false } });
    expect((await rest.next()).done).toBe(true);
  });

  it('ends a stream when the user types on, and aborts its request so the model stops', async () => {
    const server = new FakeServer();
    const provider = new SciwandInlineProvider({ serverSettings: server.settings, isEnabled: () => true });
    const panel = notebookPanel(NOTEBOOK);
    const reply = provider.fetch({ text: 'x = ', offset: 4 }, context(panel));
    const writer = await server.stream(0);
    writer.write({ text: 'sum(', done: false });
    const rest = provider.stream((await reply).items[0].token!);
    const next = rest.next();
    const fresh = provider.fetch({ text: 'x = l', offset: 5 }, context(panel));
    expect((await next).done).toBe(true); // no more of the stale suggestion, and no error said
    expect(server.aborted).toEqual([0]);
    await server.answer(1, { text: 'en(doses)', status: 'ok' });
    expect(await fresh).toEqual({ items: [{ insertText: 'en(doses)' }] });
  });

  it('cancels the request in flight when the user types on, and shows only the new suggestion', async () => {
    const server = new FakeServer();
    const provider = new SciwandInlineProvider({ serverSettings: server.settings, isEnabled: () => true });
    const panel = notebookPanel(NOTEBOOK);
    const stale = provider.fetch({ text: 'df.d', offset: 4 }, context(panel));
    await server.requested(1);
    const fresh = provider.fetch({ text: 'df.de', offset: 5 }, context(panel));
    expect(await stale).toEqual({ items: [] });
    expect(server.aborted).toEqual([0]);
    expect(server.requests[0].signal.aborted).toBe(true);
    await server.answer(1, { text: 'scribe()', status: 'ok' });
    expect(await fresh).toEqual({ items: [{ insertText: 'scribe()' }] });
    expect(server.aborted).toEqual([0]);
  });

  it('shows nothing while the model is busy, when completion is off, or in a Markdown cell', async () => {
    const server = new FakeServer();
    let enabled = true;
    const provider = new SciwandInlineProvider({ serverSettings: server.settings, isEnabled: () => enabled });
    const panel = notebookPanel(NOTEBOOK);
    for (const status of ['busy', 'off', 'unavailable']) {
      const reply = provider.fetch({ text: 'x = ', offset: 4 }, context(panel));
      await server.answer(server.requests.length, { text: '', status });
      expect(await reply).toEqual({ items: [] });
    }
    const markdown = { text: '# x', offset: 3, mimeType: 'text/x-ipythongfm' };
    expect(await provider.fetch(markdown, context(panel))).toEqual({ items: [] });
    enabled = false;
    expect(await provider.fetch({ text: 'x = ', offset: 4 }, context(panel))).toEqual({ items: [] });
    expect(server.requests).toHaveLength(3); // neither the Markdown cell nor the switched-off provider asked
  });

  it('warms up once per notebook with its code cells, for a Python kernel', async () => {
    const server = new FakeServer();
    let enabled = true;
    const provider = new SciwandInlineProvider({ serverSettings: server.settings, isEnabled: () => enabled });
    const panel = (language: string): INotebookPanelLike => ({
      content: NOTEBOOK,
      sessionContext: {
        ready: Promise.resolve(),
        session: {
          kernel: { id: 'kernel-1', info: Promise.resolve({ language_info: { name: language } }) }
        }
      }
    });
    const python = panel('python');
    const warming = provider.warmUp(python);
    await server.answer(0, { text: '', status: 'ok' });
    await warming;
    expect(server.requests[0].body).toEqual({
      prefix: '',
      suffix: '',
      cells: codeCells(NOTEBOOK),
      kernel_id: 'kernel-1',
      prepare: true
    });
    await provider.warmUp(python); // the same notebook again: no second warm-up
    await provider.warmUp(panel('R'));
    enabled = false;
    await provider.warmUp(panel('python'));
    provider.configure({ enabled: false }); // turned off in JupyterLab's inline completer settings
    enabled = true;
    await provider.warmUp(panel('python'));
    expect(server.requests).toHaveLength(1);
  });

  it('starts on, with a pause before asking, in JupyterLab’s inline completer settings', () => {
    const provider = new SciwandInlineProvider({ isEnabled: () => true });
    expect(provider.schema.default).toEqual({ enabled: true, debouncerDelay: 300, timeout: 15000 });
  });
});
