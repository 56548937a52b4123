import { InitialSchema1764300000000 } from './1764300000000-initial-schema';

/** Every migration, in order. Listed by class (not by glob) so that bundling keeps them. */
export const healthArchiveMigrations = [InitialSchema1764300000000];
