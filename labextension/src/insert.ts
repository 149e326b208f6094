/**
 * Putting an executed step into the notebook: a code cell below the active
 * one (or in place of the cell a Fix was about, once its diff is accepted),
 * with the step's outputs, so the notebook is the record.
 */
import { CodeCellModel, ICodeCellModel, isCodeCellModel } from '@jupyterlab/cells';
import { Notebook, NotebookActions } from '@jupyterlab/notebook';

import { IStepResult } from './model';

/** Insert ``result`` below the active cell; throws if the notebook will not take it. */
export function insertStepBelow(notebook: Notebook, result: IStepResult): void {
  NotebookActions.insertBelow(notebook);
  if (notebook.activeCell?.model.type !== 'code') {
    NotebookActions.changeCellType(notebook, 'code');
  }
  const model = notebook.activeCell?.model;
  if (!model || !isCodeCellModel(model)) {
    throw new Error('the new cell is not a code cell');
  }
  writeStep(model, result);
}

/** The code of the notebook's code cell whose model id is `cellId`; throws if there is none. */
export function cellSource(notebook: Notebook, cellId: string): string {
  return codeCell(notebook, cellId)[1].sharedModel.getSource();
}

/**
 * Replace the code cell whose model id is `cellId` with `result` (a Fix's
 * step); throws if the notebook no longer has that code cell, or if its
 * code is no longer `original` (the code the user saw the change of).
 */
export function replaceCell(
  notebook: Notebook,
  cellId: string,
  result: IStepResult,
  original?: string
): void {
  const [index, model] = codeCell(notebook, cellId);
  if (original !== undefined && model.sharedModel.getSource() !== original) {
    throw new Error('the cell changed while its change was shown: Replace again to see the new one');
  }
  writeStep(model, result);
  notebook.activeCellIndex = index;
}

function codeCell(notebook: Notebook, cellId: string): [number, ICodeCellModel] {
  const index = notebook.widgets.findIndex(cell => cell.model.id === cellId);
  const model = notebook.widgets[index]?.model;
  if (!model || !isCodeCellModel(model)) {
    throw new Error('the cell is no longer in the notebook');
  }
  return [index, model];
}

/** The cell tag nbclient, papermill and `jupyter execute` honour: this cell's error is expected, run on. */
export const RAISES_EXCEPTION = 'raises-exception';

/** The part of @jupyter/ydoc's cell that the ISharedCodeCell interface leaves out: its undo history. */
interface IUndoable {
  undoManager?: { stopCapturing(): void } | null;
}

/**
 * Write ``result`` into a code cell; a failed step is tagged so that "Run
 * All" and the notebook runners go on past it.
 *
 * Everything goes through the cell's shared model in one transaction, kept
 * apart from the edits before and after it: the cell's own undo (Ctrl+Z in
 * the cell, or the notebook's Undo) brings back the code, outputs and tags
 * the cell had, in one step.
 */
export function writeStep(model: ICodeCellModel, result: IStepResult): void {
  const shared = model.sharedModel;
  const tags = ((model.getMetadata('tags') as string[] | undefined) ?? []).filter(
    tag => tag !== RAISES_EXCEPTION
  );
  if (result.status !== 'ok') {
    tags.push(RAISES_EXCEPTION);
  }
  const history = (shared as unknown as IUndoable).undoManager;
  history?.stopCapturing();
  shared.transact(() => {
    shared.setSource(result.code);
    shared.setOutputs(result.outputs);
    shared.execution_count = result.executionCount;
    if (tags.length > 0) {
      shared.setMetadata('tags', tags);
    } else {
      shared.deleteMetadata('tags');
    }
  });
  history?.stopCapturing();
  // The outputs are this code's own. JupyterLab marks a cell whose code
  // changes once it has an execution count as edited since it ran (the
  // orange dot by its prompt): the code and its count arrive together here.
  if (model instanceof CodeCellModel) {
    model.isDirty = false;
  }
}
