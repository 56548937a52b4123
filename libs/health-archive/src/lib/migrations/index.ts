import { InitialSchema1764300000000 } from './1764300000000-initial-schema';
import { LenientPushes1764900000000 } from './1764900000000-lenient-pushes';
import { EventOutbox1765600000000 } from './1765600000000-event-outbox';
import { Observations1766000000000 } from './1766000000000-observations';
import { WithdrawalDeletion1766100000000 } from './1766100000000-withdrawal-deletion';
import { ConsentLedger1766200000000 } from './1766200000000-consent-ledger';
import { EncryptionAtRest1766300000000 } from './1766300000000-encryption-at-rest';
import { AccessAudit1766400000000 } from './1766400000000-access-audit';
import { OverviewIndexes1766500000000 } from './1766500000000-overview-indexes';
import { SealedWebhookSecrets1766600000000 } from './1766600000000-sealed-webhook-secrets';
import { ReceiverAnswersNotKept1766700000000 } from './1766700000000-receiver-answers-not-kept';

/** Every migration, in order. Listed by class (not by glob) so that bundling keeps them. */
export const healthArchiveMigrations = [InitialSchema1764300000000, LenientPushes1764900000000, EventOutbox1765600000000, Observations1766000000000, WithdrawalDeletion1766100000000, ConsentLedger1766200000000, EncryptionAtRest1766300000000, AccessAudit1766400000000, OverviewIndexes1766500000000, SealedWebhookSecrets1766600000000, ReceiverAnswersNotKept1766700000000];
