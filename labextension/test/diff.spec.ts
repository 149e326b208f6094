import { Widget } from '@lumino/widgets';

import { ACCEPT_CLASS, CellDiff, REJECT_CLASS, confirmReplace } from '../src/diff';

const OLD = 'mean = sum(values) / len(valuez)\nprint(mean)';
const NEW = 'mean = sum(values) / len(values)\nprint(mean)';

/** The dialog's button of `className`, once the dialog is shown. */
async function dialogButton(className: string): Promise<HTMLButtonElement> {
  for (let i = 0; i < 50; i++) {
    const found = document.querySelector<HTMLButtonElement>(`.jp-Dialog .${className}`);
    if (found) {
      return found;
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  throw new Error(`no dialog button .${className}`);
}

describe('a cell’s change, before it is made', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it('shows the old and the new code as one read-only unified diff', () => {
    const diff = new CellDiff({ original: OLD, changed: NEW });
    Widget.attach(diff, document.body);
    expect(diff.view.state.doc.toString()).toBe(NEW);
    expect(diff.view.state.readOnly).toBe(true);
    const text = diff.node.textContent!;
    expect(text).toContain('len(values)'); // the new line
    expect(text).toContain('len(valuez)'); // the old one, shown deleted above it
    expect(diff.node.querySelector('.cm-deletedChunk')).not.toBeNull();
    diff.dispose();
  });

  it('is accepted with Accept', async () => {
    const answer = confirmReplace({ original: OLD, changed: NEW });
    (await dialogButton(ACCEPT_CLASS)).click();
    expect(await answer).toBe(true);
  });

  it('is rejected with Reject, and changes nothing', async () => {
    const answer = confirmReplace({ original: OLD, changed: NEW });
    const reject = await dialogButton(REJECT_CLASS);
    expect(document.querySelector('.jp-Dialog .sciwand-diff')!.textContent).toContain(
      'len(valuez)'
    );
    reject.click();
    expect(await answer).toBe(false);
  });
});
