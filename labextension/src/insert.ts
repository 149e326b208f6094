/**
 * Putting an executed step into the notebook: a code cell below the active
 * one (or in place of the cell a Fix was about), with the step's outputs, so
 * the notebook is the record.
 */
import { ICodeCellModel, isCodeCellModel } from '@jupyterlab/cells';
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

/**
 * Replace the code cell whose model id is `cellId` with `result` (a Fix's
 * step); throws if the notebook no longer has that code cell.
 */
export function replaceCell(
  notebook: Notebook,
  cellId: string,
  result: IStepResult
): void {
  const index = notebook.widgets.findIndex(cell => cell.model.id === cellId);
  const model = notebook.widgets[index]?.model;
  if (!model || !isCodeCellModel(model)) {
    throw new Error('the cell is no longer in the notebook');
  }
  writeStep(model, result);
  notebook.activeCellIndex = index;
}

/** The cell tag nbclient, papermill and `jupyter execute` honour: this cell's error is expected, run on. */
export const RAISES_EXCEPTION = 'raises-exception';

/**
 * Write ``result`` into a code cell; a failed step is tagged so that "Run
 * All" and the notebook runners go on past it.
 */
export function writeStep(model: ICodeCellModel, result: IStepResult): void {
  const shared = model.sharedModel;
  shared.transact(() => {
    shared.setSource(result.code);
    shared.setOutputs(result.outputs);
    shared.execution_count = result.executionCount;
  });
  const tags = ((model.getMetadata('tags') as string[] | undefined) ?? []).filter(
    tag => tag !== RAISES_EXCEPTION
  );
  if (result.status !== 'ok') {
    tags.push(RAISES_EXCEPTION);
  }
  if (tags.length > 0) {
    model.setMetadata('tags', tags);
  } else {
    model.deleteMetadata('tags');
  }
}
