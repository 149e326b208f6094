/**
 * sciwand-lab: the sciwand chat panel in JupyterLab's right sidebar.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { addCellActions } from './cell-actions';
import { wandIcon } from './icon';
import { ChatPanel } from './panel';

const PLUGIN_ID = 'sciwand-lab:plugin';

export const CommandIDs = {
  open: 'sciwand:open'
};

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'A chat panel that answers questions by running code in the notebook’s kernel.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [
    ISettingRegistry,
    ICommandPalette,
    ILayoutRestorer,
    IEditorLanguageRegistry
  ],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    languages: IEditorLanguageRegistry | null
  ): Promise<void> => {
    let settings: ISettingRegistry.ISettings | null = null;
    if (settingRegistry) {
      try {
        settings = await settingRegistry.load(PLUGIN_ID);
      } catch (error) {
        console.warn('sciwand: settings not loaded, using defaults', error);
      }
    }

    const panel = new ChatPanel({ rendermime, settings, languages });
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, 'sciwand-chat');

    panel.setNotebook(tracker.currentWidget);
    tracker.currentChanged.connect((_, notebook) => {
      panel.setNotebook(notebook);
    });

    app.commands.addCommand(CommandIDs.open, {
      label: 'Open sciwand chat',
      caption: 'Show the sciwand chat panel',
      icon: wandIcon,
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    palette?.addItem({ command: CommandIDs.open, category: 'sciwand' });
    addCellActions(app, tracker, panel);
  }
};

export default plugin;
