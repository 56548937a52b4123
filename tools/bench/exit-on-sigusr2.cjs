// Preloaded (`node -r`) into the API when the bench profiles it: SIGUSR2 ends the process
// through process.exit, so that `--cpu-prof` writes its .cpuprofile (a signal death would not).
process.on('SIGUSR2', () => process.exit(0));
