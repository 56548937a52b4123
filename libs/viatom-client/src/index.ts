export * from './lib/wire';
export * from './lib/errors';
export * from './lib/phone';
export * from './lib/time';
export * from './lib/push';
export * from './lib/viatom-client.options';
export * from './lib/viatom-client';
export * from './lib/viatom-client.module';
