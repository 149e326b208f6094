/**
 * The sciwand wand, for the sidebar tab and the command palette.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const wandSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3.3 19.3 14.6 8l1.4 1.4L4.7 20.7z"/>
    <path d="M16 2l.9 2.6L19.5 5.5l-2.6.9L16 9l-.9-2.6-2.6-.9 2.6-.9zM20 10l.6 1.4 1.4.6-1.4.6L20 14l-.6-1.4-1.4-.6 1.4-.6zM9 2l.6 1.4L11 4l-1.4.6L9 6l-.6-1.4L7 4l1.4-.6z"/>
  </g>
</svg>`;

export const wandIcon = new LabIcon({ name: 'sciwand:wand', svgstr: wandSvg });
