module.exports = {
  displayName: 'viatom-sandbox',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/tools/viatom-sandbox',
};
