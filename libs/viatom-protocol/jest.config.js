module.exports = {
  displayName: 'viatom-protocol',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/viatom-protocol',
};
