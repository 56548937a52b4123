export * from './lib/errors';
export * from './lib/viatom-client.options';
export * from './lib/viatom-client';
export * from './lib/viatom-client.module';
