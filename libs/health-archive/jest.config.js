module.exports = {
  displayName: 'health-archive',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/health-archive',
};
