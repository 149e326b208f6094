/**
 * Cell actions, as in other AI assistants of JupyterLab: "Fix with sciwand"
 * on a code cell that raised an error, and "Explain with sciwand" on any
 * cell. Both ask in the chat panel about the notebook's active cell; the
 * plugin's settings schema puts them in the cell toolbar and the cell
 * context menu.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Cell, ICodeCellModel, isCodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISignal } from '@lumino/signaling';

import { cellError, cellOutputs } from './cells';
import { wandIcon } from './icon';
import { ChatPanel } from './panel';

export const CellCommandIDs = {
  fix: 'sciwand:fix-cell',
  explain: 'sciwand:explain-cell'
};

function failed(cell: Cell | null): cell is Cell {
  return cell !== null && cellError(cellOutputs(cell.model)) !== undefined;
}

/** Add the commands, and show Fix only while the active cell holds an error. */
export function addCellActions(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  panel: ChatPanel
): void {
  const { commands, shell } = app;
  const ask = (action: 'fix' | 'explain', cell: Cell) => {
    shell.activateById(panel.id);
    panel.askAboutCell(action, cell);
  };
  commands.addCommand(CellCommandIDs.fix, {
    label: 'Fix with sciwand',
    caption:
      'Ask sciwand to fix this cell: its code and traceback go with the question, and the fix can replace the cell',
    icon: wandIcon,
    isVisible: () => failed(tracker.activeCell),
    execute: () => {
      const cell = tracker.activeCell;
      if (failed(cell)) {
        ask('fix', cell);
      }
    }
  });
  commands.addCommand(CellCommandIDs.explain, {
    label: 'Explain with sciwand',
    caption: 'Ask sciwand to explain this cell: its code and outputs go with the question',
    icon: wandIcon,
    isVisible: () => tracker.activeCell !== null,
    execute: () => {
      const cell = tracker.activeCell;
      if (cell) {
        ask('explain', cell);
      }
    }
  });

  // The toolbar shows Fix as the active cell's outputs come to hold an error, and hides it once they do not.
  followActiveOutputs(tracker, () =>
    commands.notifyCommandChanged(CellCommandIDs.fix)
  );
}

/** What `followActiveOutputs` needs of the notebook tracker. */
export interface IActiveCellSource {
  readonly activeCell: Cell | null;
  readonly activeCellChanged: ISignal<unknown, Cell | null>;
}

/**
 * Call `changed` when another cell becomes active, and when the active code
 * cell's outputs change: a cell run in place (Ctrl+Enter) stays active while
 * its outputs come to hold an error, or lose it.
 *
 * The cell watched last may be gone by the time another becomes active (a
 * deleted or moved cell, a closed notebook): its disposed model has no
 * outputs any more, and nothing to disconnect.
 */
export function followActiveOutputs(
  tracker: IActiveCellSource,
  changed: () => void
): void {
  let watched: ICodeCellModel | null = null;
  const follow = (cell: Cell | null) => {
    if (watched && !watched.isDisposed) {
      watched.outputs.changed.disconnect(changed);
    }
    const model = cell && !cell.isDisposed ? cell.model : null;
    watched = model && !model.isDisposed && isCodeCellModel(model) ? model : null;
    watched?.outputs.changed.connect(changed);
    changed();
  };
  tracker.activeCellChanged.connect((_, cell) => follow(cell));
  follow(tracker.activeCell);
}
