import { InitialSchema1764300000000 } from './1764300000000-initial-schema';
import { LenientPushes1764900000000 } from './1764900000000-lenient-pushes';

/** Every migration, in order. Listed by class (not by glob) so that bundling keeps them. */
export const healthArchiveMigrations = [InitialSchema1764300000000, LenientPushes1764900000000];
