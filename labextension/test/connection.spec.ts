import { ServerConnection } from '@jupyterlab/services';
import { signalToPromise } from '@jupyterlab/testutils';

import { INotebookSession, NotebookConnection } from '../src/connection';
import { ChatModel } from '../src/model';
import { ServerEvent } from '../src/protocol';

/** Stands in for the browser's WebSocket: the test opens, feeds and drops it. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static made: FakeSocket[] = [];

  readyState = FakeSocket.CONNECTING;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: ((close: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.readyState = FakeSocket.CLOSED;
  }

  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  receive(event: ServerEvent): void {
    this.onmessage?.({ data: JSON.stringify(event) });
  }

  drop(): void {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code: 1006, reason: '' });
  }
}

/** A server whose history answers wait until the test releases them. */
class FakeHistoryServer {
  requests: string[] = [];
  private pending: Array<() => void> = [];

  constructor(public events: ServerEvent[]) {}

  readonly settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/',
    wsUrl: 'ws://localhost:8888/',
    token: 'secret',
    fetch: (request: RequestInfo) => {
      this.requests.push(String((request as Request).url));
      const body = JSON.stringify({ path: 'dosing.ipynb', events: this.events });
      return new Promise<Response>(resolve =>
        this.pending.push(() => resolve(new Response(body, { status: 200 })))
      );
    }
  });

  /** Answer the history requests made so far. */
  async answer(): Promise<void> {
    for (const respond of this.pending.splice(0)) {
      respond();
    }
    await new Promise(resolve => setTimeout(resolve, 0));
  }
}

function notebook(kernelId: string | null): INotebookSession {
  return {
    sessionContext: {
      ready: Promise.resolve(),
      session: { kernel: kernelId ? { id: kernelId } : null }
    },
    context: { localPath: 'dosing.ipynb' }
  };
}

const QUESTION: ServerEvent = { type: 'question', text: 'Twice the dose?', ask_id: '' };

async function connected(
  server: FakeHistoryServer
): Promise<[ChatModel, NotebookConnection, FakeSocket]> {
  const model = new ChatModel();
  model.reset('waiting-for-kernel');
  const connection = new NotebookConnection({
    notebook: notebook('kernel-1'),
    model,
    serverSettings: server.settings
  });
  await signalToPromise(model.stateChanged); // the kernel is known: connecting
  return [model, connection, FakeSocket.made[FakeSocket.made.length - 1]];
}

describe('NotebookConnection', () => {
  const realWebSocket = window.WebSocket;
  beforeAll(() => {
    (window as any).WebSocket = FakeSocket;
  });
  afterAll(() => {
    (window as any).WebSocket = realWebSocket;
  });
  beforeEach(() => {
    FakeSocket.made = [];
  });

  it('opens the socket of the notebook kernel and shows live events after the history', async () => {
    const server = new FakeHistoryServer([QUESTION]);
    const [model, connection, socket] = await connected(server);
    expect(socket.url).toBe(
      'ws://localhost:8888/sciwand/ws?kernel_id=kernel-1&path=dosing.ipynb&token=secret'
    );
    expect(model.connection).toBe('connecting');
    socket.open();
    socket.receive({ type: 'state', running: true });
    socket.receive({ type: 'token', text: 'thinking…' });
    expect(model.messages).toEqual([]); // held back until the history is shown

    await server.answer();
    expect(model.messages.map(message => message.kind)).toEqual([
      'question',
      'thinking'
    ]);
    expect(model.runState).toBe('model-writing');
    expect(model.connection).toBe('connected');
    connection.dispose();
  });

  it('sends requests on its socket, once open', async () => {
    const server = new FakeHistoryServer([]);
    const [model, connection, socket] = await connected(server);
    await server.answer();
    socket.open();
    expect(model.ask('Twice the dose?', null, true)).toBe(true);
    expect(socket.sent).toEqual([
      {
        type: 'ask',
        question: 'Twice the dose?',
        model: null,
        approval: true,
        context: [],
        ask_id: expect.any(String),
        notebook_code: []
      }
    ]);
    connection.dispose();
  });

  it('reloads the history after a drop, since events may have been missed', async () => {
    const server = new FakeHistoryServer([]);
    const [model, connection, socket] = await connected(server);
    socket.open();
    await server.answer();
    socket.receive({ type: 'state', running: true });
    expect(model.isRunning).toBe(true);

    socket.drop();
    expect(model.connection).toBe('disconnected');
    expect(model.isRunning).toBe(false);
    expect(server.requests).toHaveLength(1);

    await new Promise(resolve => setTimeout(resolve, 1100)); // the socket's first retry
    const again = FakeSocket.made[FakeSocket.made.length - 1];
    expect(again).not.toBe(socket);
    server.events = [QUESTION, { type: 'done', status: 'stopped' }];
    again.open();
    expect(server.requests).toHaveLength(2);
    await server.answer();
    expect(model.messages.map(message => message.kind)).toEqual(['question']);
    connection.dispose();
  });

  it('touches the model no more once disposed', async () => {
    const server = new FakeHistoryServer([QUESTION]);
    const [model, connection, socket] = await connected(server);
    connection.dispose();
    model.reset('no-notebook');
    await server.answer();
    socket.receive({ type: 'notice', text: 'late' });
    expect(model.messages).toEqual([]);
    expect(model.transport).toBeNull();
  });

  it('says so when the notebook has no kernel', async () => {
    const model = new ChatModel();
    model.reset('waiting-for-kernel');
    const connection = new NotebookConnection({
      notebook: notebook(null),
      model,
      serverSettings: new FakeHistoryServer([]).settings
    });
    await signalToPromise(model.stateChanged);
    expect(model.connection).toBe('no-kernel');
    expect(FakeSocket.made).toEqual([]);
    connection.dispose();
  });
});
