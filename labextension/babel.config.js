// JupyterLab's Babel preset, for the ES modules Jest transforms.
module.exports = require('@jupyterlab/testutils/lib/babel.config').default;
