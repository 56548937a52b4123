module.exports = {
  displayName: 'viatom-client',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/viatom-client',
};
