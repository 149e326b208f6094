/**
 * A cell's change, seen before it is made: the cell's code and the step's
 * code as one unified diff, with Accept and Reject.
 *
 * The diff is CodeMirror's own merge view (`@codemirror/merge`, its
 * `unifiedMergeView`) on JupyterLab's CodeMirror 6: the same editor,
 * theme and highlighting as the notebook's cells, its `@codemirror/*`
 * packages shared with JupyterLab's (not a second copy). `jupyterlab-diff`
 * (which builds on the same merge view) was the other choice: it shows the
 * diff inside the cell, but it comes only with the `jupyter-ai` extra and
 * applies the change itself, while this panel must work without it and keep
 * Accept and Reject (and the undo of an accepted change) its own.
 *
 * The diff opens in a dialog: the sidebar's ~245 px would leave a code line
 * a few words wide. Unified (deleted lines above the lines that replace
 * them) and wrapped, it stays readable in a narrow window too.
 */
import { unifiedMergeView } from '@codemirror/merge';
import { EditorState, Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { jupyterTheme } from '@jupyterlab/codemirror';
import { Widget } from '@lumino/widgets';

export namespace CellDiff {
  export interface IOptions {
    /** The cell's code now. */
    original: string;
    /** The code that would replace it. */
    changed: string;
    /** The code's language (Python's highlighting), if the editor registry gave it. */
    language?: Extension | null;
  }
}

/** A read-only unified diff of two versions of a cell's code. */
export class CellDiff extends Widget {
  constructor(options: CellDiff.IOptions) {
    super();
    this.addClass('sciwand-diff');
    this.view = new EditorView({
      parent: this.node,
      state: EditorState.create({
        doc: options.changed,
        extensions: [
          jupyterTheme,
          options.language ?? [],
          EditorView.lineWrapping,
          EditorView.editable.of(false),
          EditorState.readOnly.of(true),
          unifiedMergeView({
            original: options.original,
            mergeControls: false, // the whole change is accepted or rejected, not chunk by chunk
            gutter: true,
            syntaxHighlightDeletions: true
          })
        ]
      })
    });
  }

  /** The editor that shows the diff. */
  readonly view: EditorView;

  dispose(): void {
    if (!this.isDisposed) {
      this.view.destroy();
      super.dispose();
    }
  }
}

export const ACCEPT_CLASS = 'sciwand-diff-accept';
export const REJECT_CLASS = 'sciwand-diff-reject';

/**
 * Show the change of a cell and wait for the user: true on Accept; false on
 * Reject, Escape or closing the dialog. Nothing changes here either way.
 */
export async function confirmReplace(
  options: CellDiff.IOptions & { title?: string }
): Promise<boolean> {
  const body = new CellDiff(options);
  const result = await showDialog({
    title: options.title ?? 'Replace the cell?',
    body,
    buttons: [
      Dialog.cancelButton({
        label: 'Reject',
        caption: 'Leave the cell as it is',
        className: REJECT_CLASS
      }),
      Dialog.okButton({
        label: 'Accept',
        caption: 'Put the new code (and its outputs) in the cell; the cell’s undo brings the old code back',
        className: ACCEPT_CLASS
      })
    ],
    defaultButton: 1,
    hasClose: true
  });
  return result.button.accept;
}
